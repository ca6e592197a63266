using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Api;

/// <summary>Body of <c>PUT /v1/collections/{name}</c>; every setting is optional.</summary>
public sealed record CreateCollectionRequest(
    string? Model, IReadOnlyList<string>? Fields, string? Metric, string? VectorIndex, string? Reranker, IReadOnlyList<string>? PrivateFields,
    string? Language = null, string? Ranker = null);

/// <summary>A collection as listed.</summary>
public sealed record CollectionResponse(
    string Name, string Model, IReadOnlyList<string> Fields, string Metric, string VectorIndex, string? Reranker,
    IReadOnlyList<string> PrivateFields, int Count, int Dimension, long BytesOnDisk, string Language,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Ranker, int Generation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BuildingResponse? Building,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BuildFailure);

/// <summary>A generation being built: its number, model, and how far it got (records embedded of all).</summary>
public sealed record BuildingResponse(int Generation, string Model, double Progress, int Done, int Total);

/// <summary>Answer of <c>POST /v1/collections/{name}/generations</c>: the number of the generation now being built.</summary>
public sealed record GenerationResponse(int Generation);

/// <summary>Answer of <c>GET /v1/collections</c>.</summary>
public sealed record CollectionListResponse(IReadOnlyList<CollectionResponse> Collections);

/// <summary>Answer of a record upsert.</summary>
public sealed record UpsertResponse(int Upserted);

/// <summary>Body of <c>POST /v1/collections/{name}/search</c>.</summary>
public sealed record SearchRequest(
    string? Query, int? Top, string? Method, string? Fusion, double? DenseWeight, bool? Rerank, int? RerankDepth,
    IReadOnlyList<SearchFilter>? Filters, double? MinScore, bool? SpellCorrection, bool? Explain, double? MinProbability = null,
    int? Offset = null, int? Limit = null, IReadOnlyList<string>? Sort = null, IReadOnlyList<string>? Facets = null, int? FacetValues = null,
    bool? Highlight = null, string? Session = null);

/// <summary>
/// A filter of a search: <c>{"field": "brand", "equals": "Acme"}</c>, <c>{"field": "category", "in": ["a", "b"]}</c> or
/// <c>{"field": "price", "min": 10, "max": 50}</c>.
/// </summary>
public sealed record SearchFilter(
    string? Field, [property: JsonPropertyName("equals")] JsonElement? EqualTo, IReadOnlyList<JsonElement>? In, double? Min, double? Max);

/// <summary>One hit.</summary>
public sealed record HitResponse(int Rank, string Id, float Score, [property: JsonConverter(typeof(RecordJson))] Collections.Record Record,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HitExplanation? Explanation = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? Probability = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Highlights = null);

/// <summary>A facet: value counts of a text field, or the range of a numeric one.</summary>
public sealed record FacetResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? Values,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Min,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Max);

/// <summary>
/// Answer of a search: the page of hits asked for, how many records match, the facets asked for, and the id events about
/// these hits refer to.
/// </summary>
public sealed record SearchResponse(string Query, string Searched, bool Corrected, string Method, IReadOnlyList<HitResponse> Hits, double TookMs,
    int Total, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, FacetResponse>? Facets, string QueryId);

/// <summary>Answer of <c>similar</c>.</summary>
public sealed record SimilarResponse(string Id, IReadOnlyList<HitResponse> Hits);

/// <summary>Body of <c>POST /v1/match</c>: S(q, d) for each text.</summary>
public sealed record MatchRequest(string? Query, IReadOnlyList<string>? Texts, string? Model, string? Similarity);

/// <summary>Answer of <c>POST /v1/match</c>.</summary>
public sealed record MatchResponse(string Model, string Similarity, IReadOnlyList<float> Scores);

/// <summary>Body of <c>POST /v1/embed</c>.</summary>
public sealed record EmbedRequest(IReadOnlyList<string>? Texts, string? Model, string? Role);

/// <summary>Answer of <c>POST /v1/embed</c>.</summary>
public sealed record EmbedResponse(string Model, int Dimension, IReadOnlyList<float[]> Vectors);

/// <summary>Body of <c>POST /v1/collections/{name}/feedback</c>: a search log event. <c>session</c> is hashed before it is stored.</summary>
public sealed record FeedbackRequest(string? Query, IReadOnlyList<string>? Shown, IReadOnlyList<string>? Clicked, IReadOnlyList<string>? Purchased,
    string? Session, IReadOnlyList<string>? Rejected);

/// <summary>
/// One event of <c>POST /v1/collections/{name}/events</c> as documented (the route also takes UBI 1.0 events as they are:
/// <c>query_id</c>, <c>action_name</c>, <c>event_attributes.object.object_id</c>, <c>event_attributes.position.ordinal</c>).
/// </summary>
/// <param name="QueryId">The <c>queryId</c> of the search that showed the hit.</param>
/// <param name="Action">impression, click, add_to_cart, purchase or reject.</param>
/// <param name="ObjectId">The record's id.</param>
/// <param name="Position">The 1-based position the hit was shown at.</param>
/// <param name="Session">The shopper's session (hashed before it is stored).</param>
public sealed record EventRequest(string QueryId, string Action, string ObjectId, int Position, string? Session = null);

/// <summary>Answer of <c>POST /v1/collections/{name}/events</c>: how many events are now durable.</summary>
public sealed record EventsResponse(int Recorded);

/// <summary>Body and answer of <c>PUT/GET /v1/collections/{name}/synonyms</c>.</summary>
/// <param name="Synonyms">Groups of words or phrases that mean the same (multi-way: each finds the others).</param>
/// <param name="OneWay">One-way synonyms: a query holding the input also searches its synonyms, not the other way round.</param>
public sealed record SynonymsBody(IReadOnlyList<IReadOnlyList<string?>?>? Synonyms, IReadOnlyList<OneWaySynonymBody?>? OneWay = null);

/// <summary>A one-way synonym: <c>{"input": "phone", "synonyms": ["smartphone"]}</c>.</summary>
/// <param name="Input">The word or phrase typed.</param>
/// <param name="Synonyms">What it also searches.</param>
public sealed record OneWaySynonymBody(string? Input, IReadOnlyList<string?>? Synonyms);

/// <summary>Answer of <c>GET /v1/collections/{name}/suggest</c>: completions, most likely first.</summary>
public sealed record SuggestResponse(IReadOnlyList<string> Suggestions);

/// <summary>Points an alias at a collection.</summary>
/// <param name="Collection">The collection the alias names (a collection's own name, never another alias).</param>
public sealed record SetAliasRequest(string? Collection);

/// <summary>An alias and the collection it names.</summary>
/// <param name="Alias">The alias: every <c>/v1/collections/{name}/...</c> route except create and drop accepts it for the collection.</param>
/// <param name="Collection">The collection it names now.</param>
public sealed record AliasResponse(string Alias, string Collection);

/// <summary>Every alias.</summary>
public sealed record AliasListResponse(IReadOnlyList<AliasResponse> Aliases);

/// <summary>Starts an interleaving experiment on a collection.</summary>
/// <param name="Candidate">The collection (or an alias of one) compared against it: the same records under another model, say.</param>
/// <param name="Share">The share of first-page searches interleaved, more than 0 and at most 1.</param>
public sealed record ExperimentRequest(string? Candidate, double? Share);

/// <summary>A running experiment.</summary>
public sealed record ExperimentResponse(string Collection, string Candidate, double Share, DateTimeOffset Started);

/// <summary>An experiment's report: the one running (null when none) and each candidate's outcome in the window.</summary>
public sealed record ExperimentReportResponse(ExperimentResponse? Running, DateTimeOffset From, DateTimeOffset To,
    IReadOnlyList<Collections.Experiments.InterleavingResult> Results);
