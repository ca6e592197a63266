using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>Collects one method's per-query measurements and turns them into a <see cref="MethodResult"/>.</summary>
internal sealed class MethodAccumulator(string method, double productsPerSecond)
{
    private readonly List<double> _ndcg = [];
    private readonly List<double> _recall10 = [];
    private readonly List<double> _recall100 = [];
    private readonly List<double> _mrr10 = [];
    private readonly List<double> _pairScores = [];
    private readonly List<bool> _pairLabels = [];
    private readonly List<double> _latencies = [];
    private readonly List<double> _squaredErrors = [];
    private readonly List<float> _probabilities = [];
    private readonly List<bool> _probabilityLabels = [];
    private int _ndcgSkipped;

    /// <summary>Indexing throughput of the method.</summary>
    public double ProductsPerSecond => productsPerSecond;

    /// <summary>
    /// Records the candidate scores of one query (re-ranking NDCG, and pair classification unless
    /// <paramref name="pairScores"/> gives other scores for it: scores comparable across queries, such as probabilities).
    /// </summary>
    public void AddCandidates(IReadOnlyList<ScoredCandidate> candidates, double scaleMinimum, double relevantThreshold,
        IReadOnlyList<double>? pairScores = null)
    {
        var ndcg = RankingMetrics.NdcgAtK(candidates, 10, scaleMinimum);
        if (ndcg is null)
        {
            _ndcgSkipped++;
        }
        else
        {
            _ndcg.Add(ndcg.Value);
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            _pairScores.Add(pairScores?[i] ?? candidates[i].Score);
            _pairLabels.Add(candidates[i].Relevance >= relevantThreshold);
        }
    }

    /// <summary>Records predicted against labelled relevance (for RMSE).</summary>
    public void AddRelevancePredictions(IEnumerable<(double Predicted, double Actual)> pairs) =>
        _squaredErrors.AddRange(pairs.Select(p => (p.Predicted - p.Actual) * (p.Predicted - p.Actual)));

    /// <summary>Records predicted probabilities of relevance against the labels (for the calibration error).</summary>
    public void AddProbabilities(IEnumerable<(float Probability, bool Relevant)> pairs)
    {
        foreach (var (probability, relevant) in pairs)
        {
            _probabilities.Add(probability);
            _probabilityLabels.Add(relevant);
        }
    }

    /// <summary>Records one query's full-catalogue ranking and how long it took.</summary>
    public void AddRetrieval(IReadOnlyList<SearchHit> ranked, IReadOnlySet<string> relevant, double latencyMs)
    {
        _latencies.Add(latencyMs);
        if (relevant.Count == 0)
        {
            return;
        }

        var ids = ranked.Select(h => h.ProductId).ToList();
        _recall10.Add(RankingMetrics.RecallAtK(ids, relevant, 10));
        _recall100.Add(RankingMetrics.RecallAtK(ids, relevant, 100));
        _mrr10.Add(RankingMetrics.ReciprocalRankAtK(ids, relevant, 10));
    }

    public MethodResult Result()
    {
        var threshold = _pairScores.Count == 0 ? (ThresholdResult?)null : ClassificationMetrics.BestAccuracyThreshold(_pairScores, _pairLabels);
        var latency = LatencyStats.From(_latencies);
        return new MethodResult
        {
            Method = method,
            Ndcg10 = MeanOrNull(_ndcg),
            NdcgQueries = _ndcg.Count,
            NdcgSkipped = _ndcgSkipped,
            Recall10 = MeanOrNull(_recall10),
            Recall100 = MeanOrNull(_recall100),
            Mrr10 = MeanOrNull(_mrr10),
            RetrievalQueries = _recall10.Count,
            RocAuc = ClassificationMetrics.RocAuc(_pairScores, _pairLabels),
            Accuracy = threshold?.Accuracy,
            F1 = threshold?.F1,
            Threshold = threshold is { Threshold: var t } && double.IsFinite(t) ? t : null,
            Rmse = _squaredErrors.Count == 0 ? null : Math.Sqrt(_squaredErrors.Average()),
            CalibrationError = _probabilities.Count == 0 ? null : Reliability.ExpectedCalibrationError(_probabilities, _probabilityLabels),
            ProductsPerSecond = productsPerSecond,
            LatencyP50Ms = latency.P50Ms,
            LatencyP95Ms = latency.P95Ms,
        };
    }

    private static double? MeanOrNull(List<double> values) => values.Count == 0 ? null : values.Average();
}
