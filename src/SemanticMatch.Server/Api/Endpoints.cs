using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Experiments;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine;
using SemanticMatch.Server.Feedback;
using SemanticMatch.Server.Hosting;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Api;

/// <summary>The /v1 routes: thin handlers that map the body, call the store or a model, and shape the answer.</summary>
internal static class Endpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireRateLimiting(RateLimiting.PerKey).AddEndpointFilterFactory(RawPath.DecodeRouteValues)
            .AddEndpointFilterFactory(AliasEndpoints.ResolveCollectionName);
        var gate = app.ServiceProvider.GetRequiredService<AdmissionGate>();
        var work = v1.MapGroup(string.Empty).AddEndpointFilter(gate.FilterAsync);
        v1.MapGet("/collections", async (ICollectionStore store, CancellationToken cancellationToken) =>
            new CollectionListResponse((await store.ListAsync(cancellationToken)).Select(RequestMapping.ToResponse).ToList())).Needs(Scope.Read)
            .WithName("listCollections").WithSummary("List the collections").WithTags("Collections");
        v1.MapPut("/collections/{name}", CreateAsync).Needs(Scope.Admin).WithMetadata(new ConflictMetadata(), new WritesMetadata(), new OwnNameMetadata())
            .WithName("createCollection").WithSummary("Create a collection (200 when it exists with the same settings)").WithTags("Collections");
        v1.MapGet("/collections/{name}", async (string name, ICollectionStore store, CancellationToken cancellationToken) =>
            RequestMapping.ToResponse(await store.DescribeAsync(name, cancellationToken))).Needs(Scope.Read)
            .WithName("getCollection").WithSummary("Describe a collection").WithTags("Collections");
        v1.MapDelete("/collections/{name}", DropAsync).Needs(Scope.Admin).WithMetadata(new ConflictMetadata(), new WritesMetadata(), new OwnNameMetadata())
            .WithName("dropCollection").WithSummary("Drop a collection and its records").WithTags("Collections");
        v1.MapPost("/collections/{name}/generations", StartGenerationAsync).Needs(Scope.Admin).WithMetadata(new ConflictMetadata(), new WritesMetadata())
            .WithName("startGeneration").WithSummary("Re-embed every record with a new model (or other settings) while the current generation serves; 202").WithTags("Collections");
        v1.MapPost("/collections/{name}/rollback", RollbackAsync).Needs(Scope.Admin).WithMetadata(new ConflictMetadata(), new WritesMetadata())
            .WithName("rollbackGeneration").WithSummary("Serve the previous generation again").WithTags("Collections");
        work.MapPost("/collections/{name}/records", RecordUpload.UpsertAsync).Needs(Scope.Write).WithMetadata(new WritesMetadata())
            .Accepts<IReadOnlyList<Record>>("application/json", "application/x-ndjson").WithMetadata(new ArrayBodyMetadata(typeof(Record)))
            .WithName("upsertRecords").WithSummary("Insert or replace records: a JSON array, or NDJSON (one record a line)").WithTags("Records");
        v1.MapGet("/collections/{name}/records/{id}", GetRecordAsync).Needs(Scope.Read)
            .WithName("getRecord").WithSummary("One record, without its private fields").WithTags("Records");
        v1.MapDelete("/collections/{name}/records/{id}", DeleteRecordAsync).Needs(Scope.Write).WithMetadata(new WritesMetadata())
            .WithName("deleteRecord").WithSummary("Delete a record").WithTags("Records");
        work.MapGet("/collections/{name}/records/{id}/similar", SimilarAsync).Needs(Scope.Read)
            .WithName("similarRecords").WithSummary("The records nearest to a record by vector").WithTags("Search");
        work.MapPost("/collections/{name}/search", SearchAsync).Needs(Scope.Read)
            .WithName("search").WithSummary("Search a collection (BM25, dense or hybrid)").WithTags("Search");
        v1.MapPut("/collections/{name}/synonyms", SetSynonymsAsync).Needs(Scope.Admin).WithMetadata(new WritesMetadata())
            .WithName("setSynonyms").WithSummary("Replace the collection's synonyms (groups of words that mean the same)").WithTags("Collections");
        v1.MapGet("/collections/{name}/synonyms", async (string name, ICollectionStore store, CancellationToken cancellationToken) =>
            Body(await store.SynonymsAsync(name, cancellationToken))).Needs(Scope.Read)
            .WithName("getSynonyms").WithSummary("The collection's synonyms").WithTags("Collections");
        v1.MapGet("/collections/{name}/suggest", SuggestAsync).Needs(Scope.Read)
            .WithName("suggest").WithSummary("Completions of what a shopper is typing").WithTags("Search");
        TrafficEndpoints.Map(v1);
        AliasEndpoints.Map(v1);
        ExperimentEndpoints.Map(v1);
        work.MapPost("/match", MatchAsync).Needs(Scope.Read)
            .WithName("match").WithSummary("Score texts against a query").WithTags("Models");
        work.MapPost("/embed", EmbedAsync).Needs(Scope.Read)
            .WithName("embed").WithSummary("Embed texts as queries or documents").WithTags("Models");
    }

    private static async Task<Results<Created<CollectionResponse>, Ok<CollectionResponse>>> CreateAsync(string name, CreateCollectionRequest? body,
        ICollectionStore store, CancellationToken cancellationToken)
    {
        var created = await store.CreateAsync(name, RequestMapping.ToSettings(body), cancellationToken);
        var response = RequestMapping.ToResponse(await store.DescribeAsync(name, cancellationToken));
        return created ? TypedResults.Created($"/v1/collections/{name}", response) : TypedResults.Ok(response);
    }

    private static async Task<Accepted<GenerationResponse>> StartGenerationAsync(string name, CreateCollectionRequest? body, ICollectionStore store, CancellationToken cancellationToken)
    {
        var current = (await store.DescribeAsync(name, cancellationToken)).Settings;
        var generation = await store.StartGenerationAsync(name, RequestMapping.WithChanges(current, body), cancellationToken);
        return TypedResults.Accepted($"/v1/collections/{name}", new GenerationResponse(generation));
    }

    private static async Task<CollectionResponse> RollbackAsync(string name, ICollectionStore store, CancellationToken cancellationToken)
    {
        await store.RollbackAsync(name, cancellationToken);
        return RequestMapping.ToResponse(await store.DescribeAsync(name, cancellationToken));
    }

    private static async Task<NoContent> DropAsync(string name, ICollectionStore store, CancellationToken cancellationToken) =>
        await store.DropAsync(name, cancellationToken) ? TypedResults.NoContent() : throw new CollectionNotFoundException(name);

    private static async Task<Results<Ok<Record>, ProblemHttpResult>> GetRecordAsync(string name, string id, ICollectionStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(name, id, cancellationToken) is { } record ? TypedResults.Ok(record) : RecordNotFound(name, id);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRecordAsync(string name, string id, ICollectionStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(name, id, cancellationToken) ? TypedResults.NoContent() : RecordNotFound(name, id);

    private static async Task<Results<Ok<SimilarResponse>, ProblemHttpResult>> SimilarAsync(string name, string id, int? top, ICollectionStore store, CancellationToken cancellationToken)
    {
        var count = top ?? 10;
        if (count is < 1 or > Collections.CollectionQuery.MaxTop)
        {
            throw new RequestLimitException($"top: must be in 1..{Collections.CollectionQuery.MaxTop}");
        }

        return await store.SimilarAsync(name, id, count, cancellationToken) is { } hits
            ? TypedResults.Ok(new SimilarResponse(id, hits.Select(RecordJson.Hit).ToList()))
            : RecordNotFound(name, id);
    }

    private static async Task<SearchResponse> SearchAsync(string name, SearchRequest body, HttpContext http, ICollectionStore store,
        ICollectionExperiments experiments, TrafficLog traffic, ServiceMetrics metrics, CancellationToken cancellationToken)
    {
        TrafficMapping.CheckSession(body.Session);
        var query = RequestMapping.ToQuery(body);
        var timer = Stopwatch.StartNew();
        var queryId = TrafficLog.NewQueryId();
        var experiment = query.Offset == 0 ? await experiments.ExperimentAsync(name, cancellationToken) : null;
        var (result, interleaving) = await InterleavedSearch.SearchAsync(store, name, query, queryId, experiment, cancellationToken);
        metrics.RecordSearch(query.Method, timer.Elapsed);
        var session = await traffic.HashSessionAsync(body.Session ?? TrafficEndpoints.ClientOf(http), cancellationToken);
        traffic.LogSearch(name, new LoggedSearch(queryId, body.Query, result.Searched, RequestMapping.Name(query.Method),
            query.Filters.Select(f => f.ToString()).ToList(), result.Generation, query.Offset, result.Hits.Select(h => h.Record.Id).ToList(), session,
            interleaving));
        return new SearchResponse(body.Query!, result.Searched, result.Corrected, RequestMapping.Name(query.Method),
            result.Hits.Select(RecordJson.Hit).ToList(), timer.Elapsed.TotalMilliseconds, result.Total,
            result.Facets?.ToDictionary(f => f.Key, f => new FacetResponse(f.Value.Values, f.Value.Min, f.Value.Max), StringComparer.Ordinal), queryId);
    }

    private static async Task<SynonymsBody> SetSynonymsAsync(string name, SynonymsBody body, ICollectionStore store, CancellationToken cancellationToken)
    {
        var settings = (await store.DescribeAsync(name, cancellationToken)).Settings;
        if (body.Synonyms is null && body.OneWay is null)
        {
            throw new InvalidRequestException("synonyms: give a list of groups, e.g. [[\"couch\", \"sofa\"]], and/or \"oneWay\": [{\"input\": \"phone\", \"synonyms\": [\"smartphone\"]}]");
        }

        var oneWay = body.OneWay?.Select((o, i) => o is null ? throw new InvalidRequestException($"oneWay[{i}]: give {{\"input\": ..., \"synonyms\": [...]}}") : (o.Input, o.Synonyms))
            .ToList();
        var synonyms = Collections.Synonyms.Of(body.Synonyms ?? [], oneWay, new ProductText(settings.Fields, Core.Text.TextNormalizationOptions.Default));
        await store.SetSynonymsAsync(name, synonyms, cancellationToken);
        return Body(synonyms);
    }

    private static SynonymsBody Body(Collections.Synonyms synonyms) =>
        new(synonyms.Groups, synonyms.OneWay.Select(o => new OneWaySynonymBody(o.Input, o.Synonyms)).ToList());

    /// <summary>Most completions one request may ask for.</summary>
    private const int MaxSuggestions = 50;

    private static async Task<SuggestResponse> SuggestAsync(string name, string? q, int? limit, ICollectionStore store, TrafficLog traffic,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > CollectionQuery.MaxQueryLength)
        {
            throw new InvalidRequestException($"q: give what the shopper typed so far (1 to {CollectionQuery.MaxQueryLength} characters)");
        }

        if (limit is < 1 or > MaxSuggestions)
        {
            throw new RequestLimitException($"limit: must be between 1 and {MaxSuggestions}");
        }

        return new SuggestResponse(await store.SuggestAsync(name, q, limit ?? 8, traffic, cancellationToken));
    }

    private static async Task<MatchResponse> MatchAsync(MatchRequest body, IModelProvider models, ServedModels served, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Query) || body.Texts is not { Count: > 0 } texts || texts.Any(t => t is null))
        {
            throw new InvalidRequestException("give \"query\" and a non-empty \"texts\" array of strings");
        }

        RequestMapping.CheckTexts("texts", texts, query: body.Query);
        var similarity = body.Similarity is null ? SimilarityMetric.Cosine : RequestMapping.Parse<SimilarityMetric>(body.Similarity, "similarity");
        var text = ProductText.Default;
        var query = text.OfQuery(body.Query);
        var normalized = texts.Select(text.OfQuery).ToList();
        if (similarity == SimilarityMetric.Jaccard)
        {
            return new MatchResponse("none", "jaccard", normalized.Select(t => TokenJaccard.Score(query, t)).ToList());
        }

        // One pair scorer, as /v1/rerank and `semmatch match` use: a cross-encoder reads each pair, a bi-encoder compares embeddings.
        var model = await served.CheckAsync(body.Model, "model", cancellationToken);
        var scorer = models.Scorer(model, similarity);
        if (scorer is not EmbeddingPairScorer && body.Similarity is not null)
        {
            throw new InvalidRequestException($"similarity: '{model}' is a cross-encoder, which scores each pair itself; leave out \"similarity\"");
        }

        var scores = scorer.Score(query, normalized, cancellationToken);
        return new MatchResponse(model, scorer is EmbeddingPairScorer ? RequestMapping.Name(similarity) : "cross-encoder", scores.ToList());
    }

    private static async Task<EmbedResponse> EmbedAsync(EmbedRequest body, IModelProvider models, ServedModels served, CancellationToken cancellationToken)
    {
        if (body.Texts is not { Count: > 0 } texts || texts.Any(t => t is null))
        {
            throw new InvalidRequestException("give a non-empty \"texts\" array of strings");
        }

        RequestMapping.CheckTexts("texts", texts);
        var role = body.Role is null ? TextRole.Document : RequestMapping.Parse<TextRole>(body.Role, "role");
        var model = await served.CheckAsync(body.Model, "model", cancellationToken);
        var encoder = models.Encoder(model);
        return new EmbedResponse(model, encoder.Dimension, encoder.Encode(texts.Select(ProductText.Default.OfQuery).ToList(), role, cancellationToken: cancellationToken));
    }

    private static ProblemHttpResult RecordNotFound(string name, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"collection '{name}' has no record '{id}'",
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.RecordNotFound });
}
