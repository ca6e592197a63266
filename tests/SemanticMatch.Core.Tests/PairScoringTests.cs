using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Core.Tests;

public sealed class PairScoringTests
{
    [Fact]
    public void Score_CallsTheScorerOncePerDistinctQuery_AndPutsEachScoreBackInPairOrder()
    {
        var scorer = new LengthTimesQuery();
        string[] queries = ["ab", "c", "ab", "c", "ab"];
        string[] texts = ["x", "yy", "zzz", "wwww", "vvvvv"];
        var progress = new List<int>();

        var scores = PairScoring.Score(scorer, queries, texts, new Recorder(progress));

        Assert.Equal([2f, 2f, 6f, 4f, 10f], scores); // text length x query length
        Assert.Equal(["ab", "c"], scorer.Queries);
        Assert.Equal([3, 5], progress);
    }

    [Fact]
    public void EmbeddingPairScorer_RefusesJaccard() =>
        Assert.Throws<ArgumentException>(() => new EmbeddingPairScorer(new NoEncoder(), SimilarityMetric.Jaccard));

    private sealed class LengthTimesQuery : IPairScorer
    {
        public List<string> Queries { get; } = [];

        public string Identity => "length";

        public bool ScoresRelevance => false;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            Queries.Add(query);
            return texts.Select(t => (float)(t.Length * query.Length)).ToArray();
        }
    }

    private sealed class Recorder(List<int> seen) : IProgress<int>
    {
        public void Report(int value) => seen.Add(value);
    }

    private sealed class NoEncoder : ITextEncoder
    {
        public int Dimension => 1;

        public string Identity => "none";

        public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
