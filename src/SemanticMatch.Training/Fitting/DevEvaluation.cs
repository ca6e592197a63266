using SemanticMatch.Core.Metrics;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>Scores the dev set with the model being trained, by the metric that selects epochs.</summary>
public static class DevEvaluation
{
    private const int Batch = 64;

    /// <summary>How the metric is named in metrics.jsonl, training.json and the console.</summary>
    public static string Name(DevMetric metric) => metric switch
    {
        DevMetric.Ndcg => "ndcg@10",
        DevMetric.Auc => "auc",
        DevMetric.Accuracy => "accuracy",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "resolve Auto first"),
    };

    /// <summary>
    /// The dev score (higher is better): mean re-ranking NDCG@10 over queries, or over all pairs the ROC-AUC or the
    /// best single-cut accuracy of relevant (relevance &gt;= <paramref name="relevantThreshold"/>) vs not. NaN when the
    /// metric is undefined (no query with a gain, or only one class).
    /// </summary>
    public static double Score(TrainableModel model, IReadOnlyList<DevQuery> dev, DevMetric metric, double relevantThreshold,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dev);
        model.eval();
        using var _ = no_grad();
        var scaleMinimum = dev.SelectMany(q => q.Candidates).Min(c => c.Relevance);
        var ndcgs = new List<double>();
        var scores = new List<double>();
        var relevant = new List<bool>();
        foreach (var query in dev)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidates = new List<ScoredCandidate>();
            foreach (var chunk in query.Candidates.Chunk(Batch))
            {
                var score = model.Score(query.QueryTokens, chunk.Select(c => c.Tokens).ToList());
                candidates.AddRange(chunk.Select((c, i) => new ScoredCandidate(c.ProductId, score[i], c.Relevance)));
            }

            if (RankingMetrics.NdcgAtK(candidates, 10, scaleMinimum) is { } ndcg)
            {
                ndcgs.Add(ndcg);
            }

            scores.AddRange(candidates.Select(c => (double)c.Score));
            relevant.AddRange(candidates.Select(c => c.Relevance >= relevantThreshold));
        }

        return metric switch
        {
            DevMetric.Ndcg => ndcgs.Count == 0 ? double.NaN : ndcgs.Average(),
            DevMetric.Auc => ClassificationMetrics.RocAuc(scores, relevant) ?? double.NaN,
            DevMetric.Accuracy => BestCutAccuracy(scores, relevant),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "resolve Auto first"),
        };
    }

    /// <summary>The highest accuracy of "score &gt;= cut means relevant" over every cut (all negative and all positive included).</summary>
    public static double BestCutAccuracy(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(relevant);
        if (scores.Count == 0)
        {
            return double.NaN;
        }

        // Walk cuts from above the highest score down: each step turns the pairs of one score value positive.
        var ordered = scores.Zip(relevant).OrderByDescending(x => x.First).ToList();
        var correct = relevant.Count(r => !r);
        var best = correct;
        for (var i = 0; i < ordered.Count;)
        {
            var value = ordered[i].First;
            for (; i < ordered.Count && ordered[i].First == value; i++)
            {
                correct += ordered[i].Second ? 1 : -1;
            }

            best = Math.Max(best, correct);
        }

        return (double)best / scores.Count;
    }
}
