using System.Globalization;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>A search of one collection.</summary>
public sealed record CollectionQuery
{
    /// <summary>Longest query accepted, in characters.</summary>
    public const int MaxQueryLength = 1000;

    /// <summary>Largest top accepted.</summary>
    public const int MaxTop = 1000;

    /// <summary>Largest top accepted with <see cref="Explain"/> (each explanation costs two encoder batches).</summary>
    public const int MaxExplained = 50;

    /// <summary>Deepest page: offset + top at most this (each page re-runs the search at that depth).</summary>
    public const int MaxWindow = 1000;

    /// <summary>Most matches counted, sorted and faceted (<see cref="CollectionSearchResult.Total"/> stops here).</summary>
    public const int MaxMatches = 10_000;

    /// <summary>Most facets and sort keys a search may ask for.</summary>
    public const int MaxFacets = 20;

    /// <summary>Most values a text facet lists.</summary>
    public const int MaxFacetValues = 100;

    /// <summary>What the user typed.</summary>
    public required string Query { get; init; }

    /// <summary>Hits to skip (a page's start), 0..<see cref="MaxWindow"/> - <see cref="Top"/>.</summary>
    public int Offset { get; init; }

    /// <summary>Sort the matches by these fields instead of relevance (relevance breaks ties).</summary>
    public IReadOnlyList<SortKey> Sort { get; init; } = [];

    /// <summary>Fields to count the matches' values of (text) or give the range of (numbers).</summary>
    public IReadOnlyList<string> Facets { get; init; } = [];

    /// <summary>Most values a text facet lists (the most frequent).</summary>
    public int FacetValues { get; init; } = 20;

    /// <summary>Give each hit its displayed fields with the matched words marked.</summary>
    public bool Highlight { get; init; }

    /// <summary>Number of hits (1..<see cref="MaxTop"/>).</summary>
    public int Top { get; init; } = SearchOptions.DefaultTop;

    /// <summary>BM25, dense or hybrid.</summary>
    public SearchMethod Method { get; init; } = SearchMethod.Hybrid;

    /// <summary>Fusion rule and weights for hybrid.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>Re-rank with the collection's cross-encoder.</summary>
    public bool Rerank { get; init; }

    /// <summary>How many first-stage hits the cross-encoder re-scores.</summary>
    public int RerankDepth { get; init; } = SearchOptions.DefaultRerankDepth;

    /// <summary>Conditions every hit meets (all of them), applied before fusion and re-ranking.</summary>
    public IReadOnlyList<FieldFilter> Filters { get; init; } = [];

    /// <summary>Hits scoring below this are dropped (so a FAQ bot or an ad slot can say "no good match").</summary>
    public double? MinScore { get; init; }

    /// <summary>
    /// Hits whose calibrated probability of relevance is below this are dropped (0..1; needs a collection with a ranker):
    /// unlike <see cref="MinScore"/>, one threshold means the same for every query.
    /// </summary>
    public double? MinProbability { get; init; }

    /// <summary>Correct query words that no record contains.</summary>
    public bool SpellCorrection { get; init; } = true;

    /// <summary>Explain each hit (see <see cref="Search.HitExplainer"/>).</summary>
    public bool Explain { get; init; }

    /// <summary>Checks every value by the limits here and the rules of <see cref="SearchOptions"/>; returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        _ when string.IsNullOrWhiteSpace(Query) => new(nameof(Query), "must give the text to search for"),
        { Query.Length: > MaxQueryLength } => new(nameof(Query), $"must be at most {MaxQueryLength} characters (it has {Query.Length})", IsLimit: true),
        { Top: > MaxTop } => new(nameof(Top), $"must be at most {MaxTop}", IsLimit: true),
        { Offset: < 0 } => new(nameof(Offset), "must be at least 0"),
        _ when Offset + Top > MaxWindow => new(nameof(Offset), $"plus the hits asked must be at most {MaxWindow} (deeper pages are not served)", IsLimit: true),
        { Facets.Count: > MaxFacets } => new(nameof(Facets), $"must name at most {MaxFacets} fields", IsLimit: true),
        { Sort.Count: > MaxFacets } => new(nameof(Sort), $"must name at most {MaxFacets} fields", IsLimit: true),
        { FacetValues: < 1 } => new(nameof(FacetValues), "must be at least 1"),
        { FacetValues: > MaxFacetValues } => new(nameof(FacetValues), $"must be at most {MaxFacetValues}", IsLimit: true),
        { RerankDepth: > MaxTop } => new(nameof(RerankDepth), $"must be at most {MaxTop}", IsLimit: true),
        { MinProbability: < 0 or > 1 or double.NaN } => new(nameof(MinProbability), "must be in [0, 1]"),
        { Explain: true, Top: > MaxExplained } => new(nameof(Top), $"must be at most {MaxExplained} with explain", IsLimit: true),
        _ => ToSearchOptions(reranker: null).Problem(),
    };

    /// <summary>
    /// The engine's search settings for this query: re-ranking with <paramref name="reranker"/> when asked, or, for a
    /// hybrid search, ordering by <paramref name="ranker"/> (which reads the re-ranker's scores).
    /// </summary>
    public SearchOptions ToSearchOptions(IPairScorer? reranker, Search.IResultRanker? ranker = null) => new()
    {
        Method = Method,
        Top = Offset + Top,
        Fusion = Fusion,
        Ranker = Method == SearchMethod.Hybrid ? ranker : null,
        Reranker = Rerank || (Method == SearchMethod.Hybrid && ranker?.CrossEncoder is not null) ? reranker : null,
        RerankDepth = RerankDepth,
        SpellCorrection = SpellCorrection,
    };
}

/// <summary>
/// A condition on one field: equal to a value, one of several values, or a numeric range (bounds inclusive).
/// Values compare as text, except range bounds, which compare numbers.
/// </summary>
public sealed record FieldFilter
{
    /// <summary>The field.</summary>
    public required string Field { get; init; }

    /// <summary>The field's text must equal this.</summary>
    public string? EqualTo { get; init; }

    /// <summary>The field's text must be one of these.</summary>
    public IReadOnlyList<string>? In { get; init; }

    /// <summary>The field's number must be at least this.</summary>
    public double? Min { get; init; }

    /// <summary>The field's number must be at most this.</summary>
    public double? Max { get; init; }

    /// <summary>Whether <paramref name="record"/> meets the condition.</summary>
    public bool Accepts(Record record)
    {
        if (EqualTo is not null && record.Text(Field) != EqualTo)
        {
            return false;
        }

        if (In is not null && !In.Contains(record.Text(Field)))
        {
            return false;
        }

        if (Min is null && Max is null)
        {
            return true;
        }

        return record.Number(Field) is { } number && (Min is null || number >= Min) && (Max is null || number <= Max);
    }

    /// <summary>The condition in words: <c>brand = Acme</c>, <c>color in [red, blue]</c>, <c>price in [10, 50]</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (EqualTo is not null)
        {
            parts.Add($"{Field} = {EqualTo}");
        }

        if (In is not null)
        {
            parts.Add($"{Field} in [{string.Join(", ", In)}]");
        }

        if (Min is not null || Max is not null)
        {
            parts.Add($"{Field} in [{Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {Max?.ToString(CultureInfo.InvariantCulture) ?? "inf"}]");
        }

        return string.Join(" and ", parts);
    }
}

/// <summary>One hit of a collection search.</summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="Record">The record, without its private fields.</param>
/// <param name="Score">The method's score (see <see cref="SearchMethod"/>).</param>
/// <param name="Explanation">Why it matched, when the query asked (<see cref="CollectionQuery.Explain"/>).</param>
public sealed record CollectionHit(int Rank, Record Record, float Score, Search.HitExplanation? Explanation = null)
{
    /// <summary>The displayed fields with matched words marked, when the query asked (<see cref="CollectionQuery.Highlight"/>).</summary>
    public IReadOnlyDictionary<string, string>? Highlights { get; init; }

    /// <summary>Calibrated probability of relevance when the collection's ranker ordered the hit; else null.</summary>
    public float? Probability { get; init; }
}

/// <summary>The result of a collection search.</summary>
/// <param name="Searched">The query as searched: normalised and spell-corrected.</param>
/// <param name="Corrected">Whether spelling correction changed it.</param>
/// <param name="Hits">The page asked for, best first (or in the order asked).</param>
/// <param name="Total">How many records the search counts as matches (at most <see cref="CollectionQuery.MaxMatches"/>).</param>
/// <param name="Facets">The facets asked for, over the matches; null when none were.</param>
public sealed record CollectionSearchResult(string Searched, bool Corrected, IReadOnlyList<CollectionHit> Hits, int Total = 0,
    IReadOnlyDictionary<string, Facet>? Facets = null)
{
    /// <summary>The model generation that answered.</summary>
    public int Generation { get; init; } = 1;
}

/// <summary>What a collection holds.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Settings">Its settings.</param>
/// <param name="Count">Number of records.</param>
/// <param name="Dimension">Vector length.</param>
/// <param name="BytesOnDisk">Size of its folder.</param>
/// <param name="Generation">The model generation serving (1 until a new one is built).</param>
/// <param name="Building">The generation being built, or null.</param>
/// <param name="BuildFailure">Why the last build was discarded (since the store opened), or null.</param>
public sealed record CollectionInfo(string Name, CollectionSettings Settings, int Count, int Dimension, long BytesOnDisk, int Generation = 1,
    GenerationBuild? Building = null, string? BuildFailure = null);

/// <summary>A generation being built: every record re-embedded with new settings while the serving one answers.</summary>
/// <param name="Generation">Its number.</param>
/// <param name="Settings">Its settings (the model, and whatever else changed).</param>
/// <param name="Done">Records embedded so far.</param>
/// <param name="Total">Records to embed.</param>
public sealed record GenerationBuild(int Generation, CollectionSettings Settings, int Done, int Total)
{
    /// <summary>Done / total, in [0, 1].</summary>
    public double Progress => Total == 0 ? 1 : Math.Clamp((double)Done / Total, 0, 1);
}
