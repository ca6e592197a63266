using SemanticMatch.Core;
using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Tests;

public sealed class NegativeSamplingTests
{
    private static readonly long[] s_tokens = [101, 102];

    [Fact]
    public void WithHardNegatives_TakesTheBestRankedProductNotJudgedRelevant()
    {
        TrainingPair[] pairs =
        [
            new("drill", "p1", s_tokens, s_tokens, 3),
            new("drill", "p2", s_tokens, s_tokens, 2.67),
            new("drill", "p3", s_tokens, s_tokens, 1),
        ];
        var negativeTokens = new Dictionary<string, long[]> { ["p3"] = [101, 7, 102], ["p4"] = [101, 8, 102] };

        var mined = TrainingData.WithHardNegatives(pairs, _ => ["p1", "p2", "p3", "p4"], id => negativeTokens[id], threshold: 2.5);

        // p1 and p2 are judged relevant, so the judged-irrelevant p3 is the hardest negative; the irrelevant pair gets none.
        Assert.Equal([101, 7, 102], mined[0].NegativeTokens!);
        Assert.Equal([101, 7, 102], mined[1].NegativeTokens!);
        Assert.Null(mined[2].NegativeTokens);
    }

    [Fact]
    public void WithHardNegatives_NoCandidateLeft_KeepsThePairWithoutOne()
    {
        TrainingPair[] pairs = [new("hose", "p1", s_tokens, s_tokens, 3)];

        var mined = TrainingData.WithHardNegatives(pairs, _ => ["p1"], _ => throw new InvalidOperationException("not called"), 2.5);

        Assert.Null(mined[0].NegativeTokens);
    }

    [Fact]
    public void HardNegatives_NeedTheMnrlObjective() =>
        Assert.Equal(new OptionProblem("HardNegatives", "need the mnrl objective"), new TrainingOptions { HardNegatives = true, Objective = Objective.Cosent }.Problem());

    [Fact]
    public void WithRandomNegatives_AddsUnjudgedProductsPerQuery_AtTheLowestRelevance_Seeded()
    {
        TrainingPair[] pairs =
        [
            new("drill", "p1", [101, 1, 102], s_tokens, 3),
            new("drill", "p2", [101, 1, 102], s_tokens, 2),
            new("hose", "p3", [101, 2, 102], s_tokens, 1.33),
        ];
        var catalogue = Enumerable.Range(1, 8).Select(i => $"p{i}").ToList();
        long[] Tokens(string id) => [101, 100 + long.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture), 102];

        var first = TrainingData.WithRandomNegatives(pairs, catalogue, Tokens, perQuery: 2, relevance: 1, new Random(3));
        var second = TrainingData.WithRandomNegatives(pairs, catalogue, Tokens, perQuery: 2, relevance: 1, new Random(3));

        var added = first.Skip(pairs.Length).ToList();
        Assert.Equal(4, added.Count);
        Assert.All(added, p => Assert.Equal(1, p.Relevance));
        Assert.All(added.Where(p => p.Query == "drill"), p => Assert.DoesNotContain(p.ProductId, new[] { "p1", "p2" }));
        Assert.All(added.Where(p => p.Query == "hose"), p => Assert.NotEqual("p3", p.ProductId));
        Assert.All(added, p => Assert.Equal(Tokens(p.ProductId), p.ProductTokens));
        Assert.All(added, p => Assert.Equal(p.Query == "drill" ? [101, 1, 102] : [101, 2, 102], p.QueryTokens));
        Assert.Equal(2, added.Where(p => p.Query == "drill").Select(p => p.ProductId).Distinct().Count());
        Assert.Equal(first.Select(p => p.ProductId), second.Select(p => p.ProductId));
    }

    [Fact]
    public void RandomNegatives_NeedAnObjectiveThatLearnsFromIrrelevantPairs() =>
        Assert.Equal(new OptionProblem("RandomNegatives", "need an objective that learns from irrelevant pairs (bce, cosent, distil, listwise, cross, cross-graded, cross-ranked)"),
            new TrainingOptions { RandomNegatives = 1, Objective = Objective.Mnrl }.Problem());
}
