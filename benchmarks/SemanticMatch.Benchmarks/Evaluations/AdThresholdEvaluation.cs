using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks.Evaluations;

/// <summary>One threshold of an ad slot: show the ad when S(q, ad) is at least this.</summary>
/// <param name="Threshold">The similarity threshold.</param>
/// <param name="Precision">Share of shown (query, ad) pairs that are relevant.</param>
/// <param name="Recall">Share of relevant pairs that are shown.</param>
public sealed record ThresholdPoint(double Threshold, double Precision, double Recall);

/// <summary>
/// Ad matching with a threshold: products stand in for ads, judged (query, product) pairs say whether showing the ad
/// for the query is right (relevance at least the threshold). The precision-recall curve over S(q, d) thresholds lets
/// a shop pick the threshold for the precision it wants.
/// </summary>
public static class AdThresholdEvaluation
{
    /// <summary>The cosine similarity of each judged pair, and whether it is relevant.</summary>
    public static IReadOnlyList<(double Score, bool Relevant)> Score(IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments,
        ITextEncoder encoder, ProductText text, double relevantThreshold, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var byId = products.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var ids = judgments.Select(j => j.ProductId).Distinct(StringComparer.Ordinal).ToList();
        var queries = judgments.Select(j => j.Query).Distinct(StringComparer.Ordinal).ToList();
        var productVectors = encoder.Encode(ids.Select(id => text.Of(byId[id])).ToList(), TextRole.Document, progress?.Begin("embedding ads", ids.Count));
        var queryVectors = encoder.Encode(queries.Select(text.OfQuery).ToList(), TextRole.Query, progress?.Begin("embedding queries", queries.Count));
        var productIndex = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var queryIndex = queries.Select((q, i) => (q, i)).ToDictionary(x => x.q, x => x.i, StringComparer.Ordinal);
        return judgments.Select(j => ((double)VectorSimilarity.Cosine(queryVectors[queryIndex[j.Query]], productVectors[productIndex[j.ProductId]]),
            j.Relevance >= relevantThreshold)).ToList();
    }

    /// <summary>Precision and recall at every distinct score, highest threshold first.</summary>
    public static IReadOnlyList<ThresholdPoint> Curve(IReadOnlyList<(double Score, bool Relevant)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var relevant = scored.Count(s => s.Relevant);
        return ScoreSweep.Run(scored)
            .Select(s => new ThresholdPoint(s.Threshold, (double)s.Positives / s.Count, relevant == 0 ? 0 : (double)s.Positives / relevant))
            .ToList();
    }

    /// <summary>The lowest threshold whose precision is at least <paramref name="precision"/> (the most ads shown at that precision), or null.</summary>
    public static ThresholdPoint? ThresholdFor(IReadOnlyList<ThresholdPoint> curve, double precision) =>
        curve.Where(p => p.Precision >= precision).MinBy(p => p.Threshold);
}
