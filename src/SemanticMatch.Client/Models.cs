using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticMatch.Client;

/// <summary>How a collection is created (every setting optional: the server's defaults otherwise, docs/api.md).</summary>
/// <param name="Model">The bi-encoder: <c>minilm</c>, <c>arctic</c>, their <c>-int8</c> forms, or a served model directory.</param>
/// <param name="Fields">The fields searched and embedded (default: <c>title</c>).</param>
/// <param name="Metric">cosine, dot or euclidean.</param>
/// <param name="VectorIndex">exact or hnsw.</param>
/// <param name="Reranker">A cross-encoder that re-ranks hits when a search asks.</param>
/// <param name="PrivateFields">Fields stored and filterable but never returned.</param>
/// <param name="Language">en, zh or auto.</param>
/// <param name="Ranker">A learned ranker's directory.</param>
public sealed record CollectionSettings(
    string? Model = null, IReadOnlyList<string>? Fields = null, string? Metric = null, string? VectorIndex = null, string? Reranker = null,
    IReadOnlyList<string>? PrivateFields = null, string? Language = null, string? Ranker = null);

/// <summary>A collection as the service describes it.</summary>
public sealed record CollectionInfo(
    string Name, string Model, IReadOnlyList<string> Fields, string Metric, string VectorIndex, string? Reranker,
    IReadOnlyList<string> PrivateFields, int Count, int Dimension, long BytesOnDisk, string Language, string? Ranker, int Generation,
    GenerationBuild? Building, string? BuildFailure);

/// <summary>A model generation being built in the background.</summary>
public sealed record GenerationBuild(int Generation, string Model, double Progress, int Done, int Total);

/// <summary>A filter on a field: equal to a value, one of several, or within a numeric range.</summary>
/// <param name="Field">The field's name.</param>
/// <param name="EqualTo">The value the field must equal (sent as <c>equals</c>).</param>
/// <param name="In">The values the field may have.</param>
/// <param name="Min">The least value (inclusive).</param>
/// <param name="Max">The greatest value (inclusive).</param>
public sealed record SearchFilter(
    string Field, [property: JsonPropertyName("equals")] object? EqualTo = null, IReadOnlyList<object>? In = null, double? Min = null, double? Max = null);

/// <summary>A search: the query and every option the service takes (docs/api.md explains each).</summary>
public sealed record SearchRequest(string Query)
{
    /// <summary>How many hits (1..100; default 10). Use <see cref="Limit"/> with <see cref="Offset"/> to page.</summary>
    public int? Top { get; init; }

    /// <summary>bm25, dense or hybrid (default).</summary>
    public string? Method { get; init; }

    /// <summary>How hybrid fuses the lists: rrf or weighted.</summary>
    public string? Fusion { get; init; }

    /// <summary>Weighted fusion's share of the dense score (0..1).</summary>
    public double? DenseWeight { get; init; }

    /// <summary>Re-rank with the collection's cross-encoder.</summary>
    public bool? Rerank { get; init; }

    /// <summary>How many candidates the re-ranker reads.</summary>
    public int? RerankDepth { get; init; }

    /// <summary>Only records that pass every filter.</summary>
    public IReadOnlyList<SearchFilter>? Filters { get; init; }

    /// <summary>Drop hits scored below this.</summary>
    public double? MinScore { get; init; }

    /// <summary>Drop hits whose calibrated probability of relevance is below this.</summary>
    public double? MinProbability { get; init; }

    /// <summary>Correct misspelt words against the catalogue (default true).</summary>
    public bool? SpellCorrection { get; init; }

    /// <summary>Explain each hit's score.</summary>
    public bool? Explain { get; init; }

    /// <summary>Hits to skip (paging).</summary>
    public int? Offset { get; init; }

    /// <summary>Hits to return after the offset (paging).</summary>
    public int? Limit { get; init; }

    /// <summary>Sort keys, <c>field:asc</c> or <c>field:desc</c>; relevance breaks ties.</summary>
    public IReadOnlyList<string>? Sort { get; init; }

    /// <summary>Fields to count values of (strings) or take the range of (numbers) over the matches.</summary>
    public IReadOnlyList<string>? Facets { get; init; }

    /// <summary>How many values each string facet lists.</summary>
    public int? FacetValues { get; init; }

    /// <summary>Mark the matched words of each hit's fields.</summary>
    public bool? Highlight { get; init; }

    /// <summary>The shopper's session, to tie later events to this search (hashed before it is stored).</summary>
    public string? Session { get; init; }
}

/// <summary>A hit: its rank (1-based), id, score, record, and what was asked for (explanation, probability, highlights).</summary>
public sealed record Hit(int Rank, string Id, float Score, Record Record, JsonElement? Explanation, float? Probability,
    IReadOnlyDictionary<string, string>? Highlights);

/// <summary>A facet: counts per value (string fields) or the range (numeric fields).</summary>
public sealed record Facet(IReadOnlyDictionary<string, int>? Values, double? Min, double? Max);

/// <summary>A search's answer; <see cref="QueryId"/> ties events to it.</summary>
public sealed record SearchResult(string Query, string Searched, bool Corrected, string Method, IReadOnlyList<Hit> Hits, double TookMs, int Total,
    IReadOnlyDictionary<string, Facet>? Facets, string QueryId);

/// <summary>What a shopper did with a hit of a logged search.</summary>
/// <param name="QueryId">The search's <see cref="SearchResult.QueryId"/>.</param>
/// <param name="Action">click, add_to_cart, purchase, impression, reject ...</param>
/// <param name="ObjectId">The record's id.</param>
/// <param name="Position">The 1-based position the hit was shown at.</param>
/// <param name="Session">The shopper's session.</param>
public sealed record SearchEvent(string QueryId, string Action, string ObjectId, int Position, string? Session = null);

/// <summary>A reranked document: its index in the request and its score, best first.</summary>
public sealed record RerankedDocument(int Index, float Score);

internal sealed record CollectionList(IReadOnlyList<CollectionInfo> Collections);

internal sealed record UpsertAnswer(int Upserted);

internal sealed record SimilarAnswer(string Id, IReadOnlyList<Hit> Hits);

internal sealed record MatchBody(string Query, IReadOnlyList<string> Texts, string? Model, string? Similarity);

internal sealed record MatchAnswer(string Model, string Similarity, IReadOnlyList<float> Scores);

internal sealed record EmbedBody(IReadOnlyList<string> Texts, string? Model, string? Role);

internal sealed record EmbedAnswer(string Model, int Dimension, IReadOnlyList<float[]> Vectors);

internal sealed record EventsAnswer(int Recorded);

internal sealed record RerankBody(string Query, IReadOnlyList<string> Documents, string? Model, [property: JsonPropertyName("top_n")] int? TopN);

internal sealed record RerankAnswer(string Model, IReadOnlyList<RerankAnswerResult> Results);

internal sealed record RerankAnswerResult(int Index, [property: JsonPropertyName("relevance_score")] float RelevanceScore);

/// <summary>System.Text.Json source generation for what the client sends and reads (trim- and AOT-friendly).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CollectionSettings))]
[JsonSerializable(typeof(CollectionInfo))]
[JsonSerializable(typeof(CollectionList))]
[JsonSerializable(typeof(Record))]
[JsonSerializable(typeof(IReadOnlyList<Record>))]
[JsonSerializable(typeof(UpsertAnswer))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResult))]
[JsonSerializable(typeof(SimilarAnswer))]
[JsonSerializable(typeof(MatchBody))]
[JsonSerializable(typeof(MatchAnswer))]
[JsonSerializable(typeof(EmbedBody))]
[JsonSerializable(typeof(EmbedAnswer))]
[JsonSerializable(typeof(IReadOnlyList<SearchEvent>))]
[JsonSerializable(typeof(EventsAnswer))]
[JsonSerializable(typeof(RerankBody))]
[JsonSerializable(typeof(RerankAnswer))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
internal sealed partial class ClientJson : JsonSerializerContext;
