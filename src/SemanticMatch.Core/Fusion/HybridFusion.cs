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
        foreach (var part in new[] { Contributions(keyword, options, dense: false), Contributions(dense, options, dense: true) })
        {
            foreach (var (id, value) in part)
            {
                fused[id] = fused.GetValueOrDefault(id) + value;
            }
        }

        return fused
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new SearchHit(kv.Key, (float)kv.Value))
            .ToList();
    }

    /// <summary>
    /// What each list adds to the fused score of <paramref name="productId"/> (0 for a list that does not hold it);
    /// the two parts sum to its score in <see cref="Fuse"/>.
    /// </summary>
    public static (double Keyword, double Dense) Parts(IReadOnlyList<SearchHit> keyword, IReadOnlyList<SearchHit> dense, FusionOptions options,
        string productId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (Contributions(keyword, options, dense: false).GetValueOrDefault(productId),
            Contributions(dense, options, dense: true).GetValueOrDefault(productId));
    }

    // One list's addition to each product's fused score: 1 / (k + rank), or the weighted min-max normalised score.
    private static Dictionary<string, double> Contributions(IReadOnlyList<SearchHit> hits, FusionOptions options, bool dense)
    {
        var parts = new Dictionary<string, double>(StringComparer.Ordinal);
        if (hits.Count == 0)
        {
            return parts;
        }

        if (options.Method == FusionMethod.Rrf)
        {
            for (var rank = 0; rank < hits.Count; rank++)
            {
                parts[hits[rank].ProductId] = 1.0 / (options.RrfK + rank + 1);
            }

            return parts;
        }

        var weight = dense ? options.DenseWeight : 1 - options.DenseWeight;
        var min = hits.Min(h => h.Score);
        var range = hits.Max(h => h.Score) - min;
        foreach (var hit in hits)
        {
            parts[hit.ProductId] = weight * (range > 0 ? (hit.Score - min) / range : 1.0);
        }

        return parts;
    }
}
