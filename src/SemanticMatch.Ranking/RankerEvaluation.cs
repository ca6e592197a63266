using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Engine.Search;

namespace SemanticMatch.Ranking;

/// <summary>Measures a ranker on described judged queries (the same definitions as <c>semmatch eval</c>, docs/metrics.md).</summary>
public static class RankerEvaluation
{
    /// <summary>
    /// NDCG@10 over each query's judged products ordered by the ranker, MRR@10 and Recall@10 of the first stage with its top
    /// candidates re-ordered, ROC-AUC of the probabilities and RMSE of the predicted relevance; with no ranker, the first
    /// stage alone (judged products ordered by first-stage position, then the hybrid cosine).
    /// </summary>
    public static RankerMetrics Measure(IReadOnlyList<JudgedQuerySignals> queries, IResultRanker? ranker, double relevantThreshold,
        double scaleMinimum)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var ndcg = new List<double>();
        var mrr = new List<double>();
        var recall = new List<double>();
        var probabilities = new List<double>();
        var labels = new List<bool>();
        var squaredErrors = new List<double>();
        foreach (var query in queries)
        {
            var judged = query.Judged.Select(j => j.Signals).ToList();
            IReadOnlyList<SearchHit> ranking = query.FirstStage;
            double[] judgedScores;
            if (ranker is null)
            {
                judgedScores = judged.Select(s => -s.FirstStageRank + s.Dense * 1e-3).ToArray();
            }
            else
            {
                var scores = ranker.Score(query.Signals, judged);
                judgedScores = scores.Select(s => (double)s.Score).ToArray();
                probabilities.AddRange(scores.Select(s => (double)s.Probability));
                labels.AddRange(query.Judged.Select(j => j.Relevance >= relevantThreshold));
                squaredErrors.AddRange(scores.Select((s, i) => Math.Pow(s.Relevance - query.Judged[i].Relevance, 2)));
                ranking = RankingStage.Order(query.FirstStage, ranker.Depth, ranker.Score(query.Signals, query.Signals.Candidates));
            }

            var candidates = query.Judged.Select((j, i) => new ScoredCandidate(j.Signals.Id, judgedScores[i], j.Relevance)).ToList();
            if (RankingMetrics.NdcgAtK(candidates, 10, scaleMinimum) is { } value)
            {
                ndcg.Add(value);
            }

            var relevant = query.Judged.Where(j => j.Relevance >= relevantThreshold).Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
            if (relevant.Count > 0)
            {
                var ids = ranking.Select(h => h.ProductId).ToList();
                mrr.Add(RankingMetrics.ReciprocalRankAtK(ids, relevant, 10));
                recall.Add(RankingMetrics.RecallAtK(ids, relevant, 10));
            }
        }

        return new RankerMetrics(Mean(ndcg), Mean(mrr), Mean(recall),
            probabilities.Count == 0 ? null : ClassificationMetrics.RocAuc(probabilities, labels),
            squaredErrors.Count == 0 ? null : Math.Sqrt(squaredErrors.Average()));
    }

    private static double Mean(List<double> values) => values.Count == 0 ? 0 : values.Average();
}
