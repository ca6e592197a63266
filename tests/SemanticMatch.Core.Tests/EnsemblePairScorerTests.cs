using SemanticMatch.Core.Fusion;

namespace SemanticMatch.Core.Tests;

public sealed class EnsemblePairScorerTests
{
    private static readonly string[] s_texts = ["a", "b", "c"];

    [Fact]
    public void RelevanceScorers_AreAveraged_AndStayAPredictedRelevance()
    {
        using var ensemble = new EnsemblePairScorer([new Fixed("x", true, [3, 2, 1]), new Fixed("y", true, [2, 2, 2.5f])]);

        Assert.True(ensemble.ScoresRelevance);
        Assert.Equal([2.5f, 2f, 1.75f], ensemble.Score("q", s_texts));
        Assert.Equal("x+y", ensemble.Identity);
    }

    [Fact]
    public void ScorersOnOtherScales_AreStandardisedPerQuery_SoEachWeighsTheSame()
    {
        // y's scores are 100x x's and reversed; standardised, they cancel x's exactly.
        using var ensemble = new EnsemblePairScorer([new Fixed("x", true, [3, 2, 1]), new Fixed("y", false, [100, 200, 300])]);

        Assert.False(ensemble.ScoresRelevance);
        Assert.All(ensemble.Score("q", s_texts), s => Assert.Equal(0f, s, 5));
    }

    [Fact]
    public void EqualScores_StandardiseToZero_NotToNaN()
    {
        using var ensemble = new EnsemblePairScorer([new Fixed("x", false, [1, 1, 1]), new Fixed("y", false, [0, 1, 2])]);

        var scores = ensemble.Score("q", s_texts);

        Assert.Equal(-Math.Sqrt(1.5) / 2, scores[0], 5);
        Assert.Equal(0, scores[1], 5);
        Assert.Equal(Math.Sqrt(1.5) / 2, scores[2], 5);
    }

    [Fact]
    public void Dispose_DisposesEveryMember()
    {
        var members = new[] { new Fixed("x", true, [1, 1, 1]), new Fixed("y", true, [1, 1, 1]) };

        new EnsemblePairScorer(members).Dispose();

        Assert.All(members, m => Assert.True(m.Disposed));
    }

    [Fact]
    public void OneMember_IsNotAnEnsemble() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsemblePairScorer([new Fixed("x", true, [1])]));

    private sealed class Fixed(string identity, bool relevance, float[] scores) : IOwnedPairScorer
    {
        public bool Disposed { get; private set; }

        public string Identity => identity;

        public bool ScoresRelevance => relevance;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default) => scores;

        public void Dispose() => Disposed = true;
    }
}
