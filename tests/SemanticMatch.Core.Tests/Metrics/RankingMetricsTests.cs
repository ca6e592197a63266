using FsCheck;
using FsCheck.Fluent;
using SemanticMatch.Core.Metrics;

namespace SemanticMatch.Core.Tests.Metrics;

public sealed class RankingMetricsTests
{
    [Fact]
    public void Ndcg_HandComputed()
    {
        // Ranked A(rel 1), B(rel 3), C(rel 2); gains 0, 3, 1. DCG = 3/log2(3) + 1/log2(4); ideal = 3 + 1/log2(3).
        ScoredCandidate[] candidates = [new("A", 0.9, 1), new("B", 0.8, 3), new("C", 0.1, 2)];

        Assert.Equal(0.6590018048, RankingMetrics.NdcgAtK(candidates, 10, scaleMinimum: 1)!.Value, 9);
    }

    [Fact]
    public void Ndcg_CutOffAtK()
    {
        ScoredCandidate[] candidates = [new("A", 0.9, 1), new("B", 0.8, 3)];

        // Only A is in the top 1, with gain 0; the ideal top 1 is B.
        Assert.Equal(0, RankingMetrics.NdcgAtK(candidates, 1, 1)!.Value);
    }

    [Fact]
    public void Ndcg_TiesAreBrokenByProductId()
    {
        ScoredCandidate[] candidates = [new("b", 0.5, 3), new("a", 0.5, 1)];

        // "a" goes first on the tie, so the relevant "b" lands at rank 2: (2^2-1)/log2(3) over an ideal of 3.
        Assert.Equal(1 / Math.Log2(3), RankingMetrics.NdcgAtK(candidates, 10, 1)!.Value, 9);
    }

    [Fact]
    public void Ndcg_AllSameRelevance_IsSkipped()
    {
        ScoredCandidate[] candidates = [new("A", 0.9, 2.33), new("B", 0.1, 2.33)];

        Assert.Null(RankingMetrics.NdcgAtK(candidates, 10, 1));
    }

    [Fact]
    public void Ndcg_IsBetweenZeroAndOne() =>
        Seeded.Check(Prop.ForAll(
            ArbMap.Default.GeneratorFor<(byte Score, byte Grade)[]>().Where(a => a.Length > 0).ToArbitrary(),
            items =>
            {
                var candidates = items.Select((x, i) => new ScoredCandidate($"p{i}", x.Score, 1 + x.Grade % 3)).ToList();
                var ndcg = RankingMetrics.NdcgAtK(candidates, 10, 1);
                return ndcg is null || (ndcg >= 0 && ndcg <= 1 + 1e-12);
            }));

    [Fact]
    public void Ndcg_PerfectOrder_IsOne()
    {
        ScoredCandidate[] candidates = [new("A", 3, 3), new("B", 2, 2.33), new("C", 1, 1)];

        Assert.Equal(1, RankingMetrics.NdcgAtK(candidates, 10, 1)!.Value, 12);
    }

    [Fact]
    public void RecallAndReciprocalRank_HandComputed()
    {
        string[] ranked = ["x", "a", "y", "b"];
        var relevant = new HashSet<string> { "a", "b", "c" };

        Assert.Equal(1.0 / 3, RankingMetrics.RecallAtK(ranked, relevant, 2), 12);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallAtK(ranked, relevant, 10), 12);
        Assert.Equal(0.5, RankingMetrics.ReciprocalRankAtK(ranked, relevant, 10));
        Assert.Equal(0, RankingMetrics.ReciprocalRankAtK(ranked, relevant, 1));
    }

    [Fact]
    public void Recall_WithoutRelevantProducts_Throws() =>
        Assert.Throws<ArgumentException>(() => RankingMetrics.RecallAtK(["a"], new HashSet<string>(), 10));
}
