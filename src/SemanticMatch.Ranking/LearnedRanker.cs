using SemanticMatch.Search;

namespace SemanticMatch.Ranking;

/// <summary>
/// A trained ranker: LambdaMART trees order a query's candidates, least-squares trees predict each one's relevance, and
/// Platt scaling turns that into a probability of relevance.
/// </summary>
public sealed class LearnedRanker : IResultRanker
{
    private readonly TreeModel _ordering;
    private readonly TreeModel _relevance;
    private readonly HashSet<FeatureGroup> _excluded;

    internal LearnedRanker(RankerManifest manifest, TreeModel ordering, TreeModel relevance, string identity)
    {
        Manifest = manifest;
        _ordering = ordering;
        _relevance = relevance;
        _excluded = [.. manifest.Excluded];
        Identity = identity;
    }

    /// <summary>What it was trained with.</summary>
    public RankerManifest Manifest { get; }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public string? CrossEncoder => Manifest.CrossEncoder?.Model;

    /// <inheritdoc />
    public int Depth => Manifest.Depth;

    /// <inheritdoc />
    public IReadOnlyList<RankerScore> Score(QuerySignals query, IReadOnlyList<CandidateSignals> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return [];
        }

        var features = RankingFeatures.Of(query, items, _excluded);
        var order = _ordering.Score(features);
        var relevance = _relevance.Score(features);
        return order.Select((s, i) =>
        {
            var predicted = (float)Math.Clamp(relevance[i], Manifest.ScaleMinimum, Manifest.ScaleMaximum);
            return new RankerScore(s, predicted, Manifest.Calibration.Probability(predicted));
        }).ToList();
    }
}
