using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Search;

namespace SemanticMatch.Ranking.Training;

/// <summary>Measures a ranker on described judged queries with <c>semmatch eval</c>'s own code (docs/metrics.md).</summary>
public static class RankerEvaluation
{
    /// <summary>
    /// NDCG@10 over each query's judged products ordered by the ranker, MRR@10 and Recall@10 of the first stage with its top
    /// candidates re-ordered, ROC-AUC of the probabilities and RMSE of the predicted relevance (<see cref="Evaluator.MeasureRanker"/>);
    /// with no ranker, the first stage alone (<see cref="Evaluator.MeasureFirstStage"/>).
    /// </summary>
    public static RankerMetrics Measure(IReadOnlyList<JudgedQuerySignals> queries, IResultRanker? ranker, double relevantThreshold,
        double scaleMinimum)
    {
        var result = ranker is null
            ? Evaluator.MeasureFirstStage("first stage", queries, scaleMinimum, relevantThreshold)
            : Evaluator.MeasureRanker("ranker", queries, ranker, scaleMinimum, relevantThreshold);
        return new RankerMetrics(result.Ndcg10 ?? 0, result.Mrr10 ?? 0, result.Recall10 ?? 0, ranker is null ? null : result.RocAuc, result.Rmse);
    }
}
