namespace SemanticMatch.Core.Fusion;

/// <summary>How keyword and dense result lists are merged.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal-rank fusion: sum over lists of 1 / (k + rank); uses ranks only.</summary>
    Rrf,

    /// <summary>Min-max normalise each list's scores to [0, 1], then a weighted sum (a missing product adds 0).</summary>
    Weighted,
}

/// <summary>Options for <see cref="HybridFusion"/>; <see cref="Problem"/> holds their rules.</summary>
public sealed record FusionOptions
{
    /// <summary>Default of <see cref="DenseWeight"/>.</summary>
    public const double DefaultDenseWeight = 0.5;

    /// <summary>Default of <see cref="RrfK"/> (60 in Cormack et al., 2009).</summary>
    public const int DefaultRrfK = 60;

    /// <summary>The fusion rule.</summary>
    public FusionMethod Method { get; init; } = FusionMethod.Weighted;

    /// <summary>Weight of the dense list in weighted fusion, in [0, 1]; the keyword list gets 1 - weight.</summary>
    public double DenseWeight { get; init; } = DefaultDenseWeight;

    /// <summary>The k constant of reciprocal-rank fusion.</summary>
    public int RrfK { get; init; } = DefaultRrfK;

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        { DenseWeight: < 0 or > 1 or double.NaN } => new(nameof(DenseWeight), "must be between 0 and 1"),
        { RrfK: < 1 } => new(nameof(RrfK), "must be at least 1"),
        _ => null,
    };
}

/// <summary>Merges ranked lists from a keyword and a dense retriever into one ranking.</summary>
/// <remarks>Only products present in at least one input list are returned. Ties are broken by product id.</remarks>
public static class HybridFusion
{
    /// <summary>Fuses two ranked lists (each ordered best first) into one, best first.</summary>
    public static IReadOnlyList<SearchHit> Fuse(IReadOnlyList<SearchHit> keyword, IReadOnlyList<SearchHit> dense, FusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"fusion options: {problem}");
        }

        var fused = new Dictionary<string, double>(StringComparer.Ordinal);
        if (options.Method == FusionMethod.Rrf)
        {
            AddReciprocalRanks(fused, keyword, options.RrfK);
            AddReciprocalRanks(fused, dense, options.RrfK);
        }
        else
        {
            AddNormalized(fused, keyword, 1 - options.DenseWeight);
            AddNormalized(fused, dense, options.DenseWeight);
        }

        return fused
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new SearchHit(kv.Key, (float)kv.Value))
            .ToList();
    }

    private static void AddReciprocalRanks(Dictionary<string, double> fused, IReadOnlyList<SearchHit> hits, int k)
    {
        for (var rank = 0; rank < hits.Count; rank++)
        {
            fused[hits[rank].ProductId] = fused.GetValueOrDefault(hits[rank].ProductId) + 1.0 / (k + rank + 1);
        }
    }

    private static void AddNormalized(Dictionary<string, double> fused, IReadOnlyList<SearchHit> hits, double weight)
    {
        if (hits.Count == 0)
        {
            return;
        }

        var min = hits.Min(h => h.Score);
        var range = hits.Max(h => h.Score) - min;
        foreach (var hit in hits)
        {
            var normalized = range > 0 ? (hit.Score - min) / range : 1.0;
            fused[hit.ProductId] = fused.GetValueOrDefault(hit.ProductId) + weight * normalized;
        }
    }
}
