using SemanticMatch.Core.Fusion;

namespace SemanticMatch.Core.Tests;

public sealed class RerankingTests
{
    private static readonly SearchHit[] s_hits = [new("a", 9), new("b", 8), new("c", 7), new("d", 6)];

    [Fact]
    public void Rerank_ReordersTheTopByTheScorer_AndKeepsTheRestBelow()
    {
        var scorer = new TableScorer(new Dictionary<string, float> { ["A"] = 0.1f, ["B"] = 0.9f, ["C"] = 0.5f, ["D"] = 1f });

        var reranked = Reranking.Rerank("q", s_hits, depth: 3, scorer, id => id.ToUpperInvariant());

        Assert.Equal(["b", "c", "a", "d"], reranked.Select(h => h.ProductId));
        Assert.Equal([0.9f, 0.5f, 0.1f, 6f], reranked.Select(h => h.Score));
        Assert.Equal(["A", "B", "C"], scorer.Seen); // only the top 3 are scored
    }

    [Fact]
    public void Rerank_WithFirstStageWeight_BlendsNormalisedScores()
    {
        var scorer = new TableScorer(new Dictionary<string, float> { ["a"] = 0.1f, ["b"] = 0.9f, ["c"] = 0.5f });

        var reranked = Reranking.Rerank("q", s_hits, depth: 3, scorer, id => id, firstStageWeight: 0.5);

        // Re-ranker normalised: a 0, b 1, c 0.5; first stage over the top 3: a 1, b 0.5, c 0. Halves: a 0.5, b 0.75, c 0.25.
        Assert.Equal(["b", "a", "c", "d"], reranked.Select(h => h.ProductId));
        Assert.Equal([0.75, 0.5, 0.25, 6], reranked.Select(h => Math.Round(h.Score, 5)));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Rerank_FirstStageWeightOutOfRange_Throws(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Reranking.Rerank("q", s_hits, 3, new TableScorer([]), id => id, weight));

    [Fact]
    public void Rerank_Ties_KeepFirstStageOrder()
    {
        var scorer = new TableScorer(new Dictionary<string, float> { ["a"] = 1, ["b"] = 2, ["c"] = 1, ["d"] = 2 });

        var reranked = Reranking.Rerank("q", s_hits, depth: 10, scorer, id => id);

        Assert.Equal(["b", "d", "a", "c"], reranked.Select(h => h.ProductId));
    }

    [Fact]
    public void Rerank_NoHits_ScoresNothing()
    {
        var scorer = new TableScorer([]);

        Assert.Empty(Reranking.Rerank("q", [], depth: 5, scorer, id => id));
        Assert.Empty(scorer.Seen);
    }

    private sealed class TableScorer(Dictionary<string, float> scores) : IPairScorer
    {
        public List<string> Seen { get; } = [];

        public string Identity => "table";

        public bool ScoresRelevance => false;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            Seen.AddRange(texts);
            return texts.Select(t => scores[t]).ToArray();
        }
    }
}
