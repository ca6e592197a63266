using SemanticMatch.Core;
using SemanticMatch.Search;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Server.Tests;

/// <summary>A real ranker trained in a moment on hand-made signals (the service's plumbing is under test, not its quality).</summary>
internal static class TinyRanker
{
    public static TrainedRanker Train()
    {
        var random = new Random(5);
        var queries = Enumerable.Range(0, 40).Select(q =>
        {
            var candidates = Enumerable.Range(0, 10)
                .Select(c => new CandidateSignals($"q{q}p{c}", c % 2 == 0 ? "cordless drill" : "garden hose", (float)random.NextDouble() * 5,
                    (float)random.NextDouble(), null, c + 1))
                .ToList();
            var signals = new QuerySignals("cordless drill", "cordless drill", candidates);
            return new JudgedQuerySignals("cordless drill", signals, candidates.Select(c => new SearchHit(c.Id, c.Keyword)).ToList(),
                candidates.Select((c, i) => new JudgedCandidate(c, i % 2 == 0 ? 3 : 1)).ToList(), 0);
        }).ToList();
        return RankerTrainer.Train(queries[..30], queries[30..], 10, new ModelReference("minilm", "minilm"), null,
            new RankerTrainingOptions { Trees = new TreeSettings(Trees: 20, Leaves: 4, MinimumLeafCount: 5) });
    }
}
