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
    JsonElement Input, string? Model, [property: JsonPropertyName("encoding_format")] string? EncodingFormat, int? Dimensions, string? User);

/// <summary>One embedding in OpenAI's shape; <c>embedding</c> is a float array, or base64 of float32 when asked.</summary>
public sealed record OpenAiEmbedding([property: JsonPropertyName("object")] string Kind, int Index, JsonElement Embedding);

/// <summary>Token counts in OpenAI's shape (counted as whitespace-separated words here).</summary>
public sealed record OpenAiUsage([property: JsonPropertyName("prompt_tokens")] int PromptTokens, [property: JsonPropertyName("total_tokens")] int TotalTokens);

/// <summary>Answer of <c>POST /v1/embeddings</c>.</summary>
public sealed record OpenAiEmbeddingsResponse([property: JsonPropertyName("object")] string Kind, IReadOnlyList<OpenAiEmbedding> Data, string Model, OpenAiUsage Usage);

/// <summary>
/// Body of <c>POST /v1/rerank</c> in the shape RAG frameworks call (Cohere/Jina style): <c>documents</c> are strings or
/// objects with a <c>text</c>.
/// </summary>
public sealed record RerankRequest(string? Model, string? Query, IReadOnlyList<JsonElement>? Documents,
    [property: JsonPropertyName("top_n")] int? TopN, [property: JsonPropertyName("return_documents")] bool? ReturnDocuments);

/// <summary>One re-ranked document: its index in the request and its score.</summary>
public sealed record RerankResult(int Index, [property: JsonPropertyName("relevance_score")] float RelevanceScore, JsonElement? Document);

/// <summary>Answer of <c>POST /v1/rerank</c>, best first.</summary>
public sealed record RerankResponse(string Model, IReadOnlyList<RerankResult> Results);

/// <summary>
/// Routes in the shapes other tools already speak: OpenAI's embeddings (so OpenAI clients and frameworks use
/// SemanticMatch as their embedding server) and the common re-rank shape, served by any of our models.
/// </summary>
internal static class OpenAiCompatible
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireRateLimiting(RateLimiting.PerKey).AddEndpointFilter(app.ServiceProvider.GetRequiredService<AdmissionGate>().FilterAsync);
        v1.MapPost("/embeddings", EmbeddingsAsync).Needs(Scope.Read);
        v1.MapPost("/rerank", RerankAsync).Needs(Scope.Read);
    }

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
        if (texts.Count is 0 or > RequestMapping.MaxTexts)
        {
            throw new RequestLimitException($"input: {texts.Count} texts; give 1 to {RequestMapping.MaxTexts}");
        }

        RequestMapping.CheckTexts("input", texts);

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

        var vectors = encoder.Encode(texts.Select(ProductText.Default.OfQuery).ToList(), TextRole.Document, cancellationToken: cancellationToken);
        var data = vectors.Select((v, i) => new OpenAiEmbedding("embedding", i, base64
            ? JsonSerializer.SerializeToElement(Convert.ToBase64String(MemoryMarshal.AsBytes(v.AsSpan())), ServerJson.Default.String)
            : JsonSerializer.SerializeToElement(v, ServerJson.Default.SingleArray))).ToList();
        var words = texts.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        return new OpenAiEmbeddingsResponse("list", data, model, new OpenAiUsage(words, words));
    }

    private static async Task<RerankResponse> RerankAsync(RerankRequest body, IModelProvider models, ServedModels served, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Query) || body.Documents is not { Count: > 0 } documents)
        {
            throw new InvalidRequestException("give \"query\" and a non-empty \"documents\" array");
        }

        if (documents.Count > RequestMapping.MaxTexts)
        {
            throw new RequestLimitException($"documents: {documents.Count}; at most {RequestMapping.MaxTexts}");
        }

        var texts = documents.Select((d, i) => d.ValueKind switch
        {
            JsonValueKind.String => d.GetString()!,
            JsonValueKind.Object when d.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String => text.GetString()!,
            _ => throw new InvalidRequestException($"documents[{i}]: give a string or an object with a \"text\" string"),
        }).ToList();
        RequestMapping.CheckTexts("documents", texts, query: body.Query);
        var model = await served.CheckAsync(body.Model, "model", cancellationToken);
        var scores = models.Scorer(model).Score(ProductText.Default.OfQuery(body.Query), texts.Select(ProductText.Default.OfQuery).ToList(), cancellationToken);
        var top = Math.Clamp(body.TopN ?? texts.Count, 1, texts.Count);
        var results = scores.Select((score, index) => (score, index))
            .OrderByDescending(r => r.score).ThenBy(r => r.index)
            .Take(top)
            .Select(r => new RerankResult(r.index, r.score, body.ReturnDocuments == true ? documents[r.index] : null))
            .ToList();
        return new RerankResponse(model, results);
    }
}
