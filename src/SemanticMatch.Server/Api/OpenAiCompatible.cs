using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Server.Hosting;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Api;

/// <summary>Body of the OpenAI-compatible <c>POST /v1/embeddings</c>: <c>input</c> is a string or an array of strings.</summary>
public sealed record OpenAiEmbeddingsRequest(
    JsonElement Input, string? Model, [property: JsonPropertyName("encoding_format")] string? EncodingFormat, int? Dimensions, string? User,
    [property: JsonPropertyName("input_type")] string? InputType = null);

/// <summary>One embedding in OpenAI's shape; <c>embedding</c> is a float array, or base64 of float32 when asked.</summary>
public sealed record OpenAiEmbedding([property: JsonPropertyName("object")] string Kind, int Index, JsonElement Embedding);

/// <summary>Token counts in OpenAI's shape: the tokens the model read (special tokens and prefix included).</summary>
public sealed record OpenAiUsage([property: JsonPropertyName("prompt_tokens")] int PromptTokens, [property: JsonPropertyName("total_tokens")] int TotalTokens);

/// <summary>Answer of <c>POST /v1/embeddings</c>.</summary>
public sealed record OpenAiEmbeddingsResponse([property: JsonPropertyName("object")] string Kind, IReadOnlyList<OpenAiEmbedding> Data, string Model, OpenAiUsage Usage);

/// <summary>
/// Body of <c>POST /v1/rerank</c> in the shape RAG frameworks call (Cohere/Jina style): <c>documents</c> are strings or
/// objects with a <c>text</c>.
/// </summary>
public sealed record RerankRequest(string? Model, string? Query, IReadOnlyList<JsonElement>? Documents,
    [property: JsonPropertyName("top_n")] int? TopN, [property: JsonPropertyName("return_documents")] bool? ReturnDocuments);

/// <summary>A re-ranked document as Cohere and Jina return it.</summary>
public sealed record RerankDocument(string Text);

/// <summary>One re-ranked document: its index in the request, its score, and (when asked) the document.</summary>
public sealed record RerankResult(int Index, [property: JsonPropertyName("relevance_score")] float RelevanceScore,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RerankDocument? Document);

/// <summary>Jina's usage: the tokens the model read, by its own tokenizer.</summary>
public sealed record RerankUsage([property: JsonPropertyName("total_tokens")] int TotalTokens);

/// <summary>Cohere's API version.</summary>
public sealed record RerankApiVersion(string Version);

/// <summary>Cohere's billed units (one search unit a request).</summary>
public sealed record RerankBilledUnits([property: JsonPropertyName("search_units")] int SearchUnits);

/// <summary>Cohere's response metadata.</summary>
public sealed record RerankMeta([property: JsonPropertyName("api_version")] RerankApiVersion ApiVersion,
    [property: JsonPropertyName("billed_units")] RerankBilledUnits BilledUnits);

/// <summary>Answer of <c>POST /v1/rerank</c> and <c>/v2/rerank</c>, best first: Cohere's shape (id, results, meta) with Jina's model and usage.</summary>
public sealed record RerankResponse(string Id, string Model, IReadOnlyList<RerankResult> Results, RerankUsage Usage, RerankMeta Meta);

/// <summary>Body of text-embeddings-inference's <c>POST /rerank</c>.</summary>
public sealed record TeiRerankRequest(string? Query, IReadOnlyList<string>? Texts, string? Model,
    [property: JsonPropertyName("return_text")] bool? ReturnText, [property: JsonPropertyName("raw_scores")] bool? RawScores, bool? Truncate);

/// <summary>One text of text-embeddings-inference's rerank answer (an array of these, best first).</summary>
public sealed record TeiRank(int Index, float Score, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text);

/// <summary>One model in OpenAI's <c>GET /v1/models</c> shape.</summary>
public sealed record OpenAiModel(string Id, [property: JsonPropertyName("object")] string Kind, long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

/// <summary>Answer of <c>GET /v1/models</c>.</summary>
public sealed record OpenAiModelList([property: JsonPropertyName("object")] string Kind, IReadOnlyList<OpenAiModel> Data);

/// <summary>
/// Routes in the shapes other tools already speak: OpenAI's embeddings (so OpenAI clients and frameworks use
/// SemanticMatch as their embedding server) and the common re-rank shape, served by any of our models.
/// </summary>
internal static class OpenAiCompatible
{
    /// <summary>Most inputs one embeddings request may hold: OpenAI's own limit (LangChain sends batches of 512).</summary>
    public const int MaxEmbeddingInputs = 2048;

    public static void Map(IEndpointRouteBuilder app)
    {
        var gate = app.ServiceProvider.GetRequiredService<AdmissionGate>().FilterAsync;
        var openAi = app.MapGroup("/v1").RequireRateLimiting(RateLimiting.PerKey).WithMetadata(new ErrorShapeMetadata(ErrorShape.OpenAi)).WithTags("OpenAI-compatible");
        openAi.MapPost("/embeddings", EmbeddingsAsync).Needs(Scope.Read).AddEndpointFilter(gate)
            .WithName("createEmbeddings").WithSummary("Embed texts (OpenAI's embeddings API)");
        openAi.MapGet("/models", ModelsAsync).Needs(Scope.Read)
            .WithName("listModels").WithSummary("The models served here (OpenAI's models API)");
        openAi.MapGet("/models/{id}", ModelAsync).Needs(Scope.Read).AddEndpointFilterFactory(RawPath.DecodeRouteValues)
            .WithName("getModel").WithSummary("One served model (OpenAI's models API)");

        var rerank = app.MapGroup(string.Empty).RequireRateLimiting(RateLimiting.PerKey).AddEndpointFilter(gate).WithTags("Rerank-compatible");
        rerank.MapPost("/v1/rerank", RerankAsync).Needs(Scope.Read).WithMetadata(new ErrorShapeMetadata(ErrorShape.Cohere))
            .WithName("rerank").WithSummary("Re-rank documents for a query (Cohere v1 and Jina shape)");
        rerank.MapPost("/v2/rerank", RerankAsync).Needs(Scope.Read).WithMetadata(new ErrorShapeMetadata(ErrorShape.Cohere))
            .WithName("rerankV2").WithSummary("Re-rank documents for a query (Cohere v2 shape)");
        rerank.MapPost("/rerank", TeiRerankAsync).Needs(Scope.Read).WithMetadata(new ErrorShapeMetadata(ErrorShape.Tei))
            .WithName("rerankTei").WithSummary("Re-rank texts for a query (text-embeddings-inference shape)");
    }

    /// <summary>Bundled models are listed as created at 0: they are not versioned by date here.</summary>
    private static async Task<OpenAiModelList> ModelsAsync(ServedModels served, CancellationToken cancellationToken) =>
        new("list", (await served.ListAsync(cancellationToken)).Select(m => new OpenAiModel(m, "model", 0, "semanticmatch")).ToList());

    private static async Task<OpenAiModel> ModelAsync(string id, ServedModels served, CancellationToken cancellationToken) =>
        (await served.ListAsync(cancellationToken)).FirstOrDefault(m => string.Equals(m, id, StringComparison.OrdinalIgnoreCase)) is { } model
            ? new OpenAiModel(model, "model", 0, "semanticmatch")
            : throw new ModelNotFoundException($"model: '{id}' is not a model served here (GET /v1/models lists them)");

    private static async Task<OpenAiEmbeddingsResponse> EmbeddingsAsync(OpenAiEmbeddingsRequest body, IModelProvider models, ServedModels served,
        CancellationToken cancellationToken)
    {
        var texts = body.Input.ValueKind switch
        {
            JsonValueKind.String => [body.Input.GetString()!],
            JsonValueKind.Array when body.Input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                body.Input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw new InvalidRequestException("input: give a string or an array of strings (token arrays are not supported)"),
        };
        if (texts.Count is 0 or > MaxEmbeddingInputs)
        {
            throw new RequestLimitException($"input: {texts.Count} texts; give 1 to {MaxEmbeddingInputs}");
        }

        RequestMapping.CheckTexts("input", texts, maxTexts: MaxEmbeddingInputs);
        var role = body.InputType?.ToLowerInvariant() switch
        {
            null or "document" or "search_document" or "passage" => TextRole.Document,
            "query" or "search_query" => TextRole.Query,
            _ => throw new InvalidRequestException($"input_type: '{body.InputType}' is not one of: query, document (or search_query, search_document, passage)"),
        };

        var base64 = body.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => throw new InvalidRequestException($"encoding_format: '{body.EncodingFormat}' is not one of: float, base64"),
        };
        var model = await served.CheckAsync(body.Model, "model", cancellationToken);
        var encoder = models.Encoder(model);
        if (body.Dimensions is { } dimensions && dimensions != encoder.Dimension)
        {
            throw new InvalidRequestException($"dimensions: {model} makes {encoder.Dimension}-dimensional vectors; it cannot shorten them");
        }

        var prepared = texts.Select(ProductText.Default.OfQuery).ToList();
        var vectors = encoder.Encode(prepared, role, cancellationToken: cancellationToken);
        var data = vectors.Select((v, i) => new OpenAiEmbedding("embedding", i, base64
            ? JsonSerializer.SerializeToElement(Convert.ToBase64String(MemoryMarshal.AsBytes(v.AsSpan())), ServerJson.Default.String)
            : JsonSerializer.SerializeToElement(v, ServerJson.Default.SingleArray))).ToList();
        var tokens = prepared.Sum(t => encoder.CountTokens(t, role));
        return new OpenAiEmbeddingsResponse("list", data, model, new OpenAiUsage(tokens, tokens));
    }

    private static async Task<RerankResponse> RerankAsync(RerankRequest body, IModelProvider models, ServedModels served, CancellationToken cancellationToken)
    {
        if (body.Documents is not { Count: > 0 } documents)
        {
            throw new InvalidRequestException("documents: give a non-empty array of strings or of objects with a \"text\"");
        }

        var texts = documents.Select((d, i) => d.ValueKind switch
        {
            JsonValueKind.String => d.GetString()!,
            JsonValueKind.Object when d.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String => text.GetString()!,
            _ => throw new InvalidRequestException($"documents[{i}]: give a string or an object with a \"text\" string"),
        }).ToList();
        var (model, ranked, tokens) = await RankAsync(body.Model, body.Query, texts, "documents", models, served, cancellationToken);
        var top = Math.Clamp(body.TopN ?? texts.Count, 1, texts.Count);
        var results = ranked.Take(top)
            .Select(r => new RerankResult(r.Index, r.Score, body.ReturnDocuments == true ? new RerankDocument(texts[r.Index]) : null))
            .ToList();
        return new RerankResponse(Guid.NewGuid().ToString("D"), model, results, new RerankUsage(tokens),
            new RerankMeta(new RerankApiVersion("2"), new RerankBilledUnits(1)));
    }

    private static async Task<IReadOnlyList<TeiRank>> TeiRerankAsync(TeiRerankRequest body, IModelProvider models, ServedModels served,
        CancellationToken cancellationToken)
    {
        if (body.Texts is not { Count: > 0 } texts)
        {
            throw new InvalidRequestException("texts: give a non-empty array of strings");
        }

        var (_, ranked, _) = await RankAsync(body.Model, body.Query, texts, "texts", models, served, cancellationToken);
        return ranked.Select(r => new TeiRank(r.Index, r.Score, body.ReturnText == true ? texts[r.Index] : null)).ToList();
    }

    // Scores every text against the query with the model's pair scorer (a cross-encoder reads each pair, a bi-encoder
    // compares embeddings): best first, ties by position.
    private static async Task<(string Model, IReadOnlyList<(int Index, float Score)> Ranked, int Tokens)> RankAsync(string? requested, string? query,
        IReadOnlyList<string> texts, string field, IModelProvider models, ServedModels served, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new InvalidRequestException("query: give the text to rank against");
        }

        RequestMapping.CheckTexts(field, texts, query: query);
        var model = await served.CheckAsync(requested, "model", cancellationToken);
        var scorer = models.Scorer(model);
        var (preparedQuery, preparedTexts) = (ProductText.Default.OfQuery(query), texts.Select(ProductText.Default.OfQuery).ToList());
        var scores = scorer.Score(preparedQuery, preparedTexts, cancellationToken);
        var ranked = scores.Select((score, index) => (index, score)).OrderByDescending(r => r.score).ThenBy(r => r.index).ToList();
        return (model, ranked, scorer.CountTokens(preparedQuery, preparedTexts));
    }
}
