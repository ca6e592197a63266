using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Embeddings;

namespace SemanticMatch.Server.Tests;

/// <summary>The routes in other tools' shapes, called as those tools call them.</summary>
[Collection(ServiceCollection.Name)]
public sealed class CompatibleApiTests(ServiceFixture service)
{
    [Fact]
    public async Task Embeddings_TheOfficialOpenAiClient_GetsOurVectors()
    {
        var client = new EmbeddingClient("minilm", new ApiKeyCredential(service.Reader),
            new OpenAIClientOptions { Endpoint = new Uri(service.Server.Url + "/v1") });

        var result = await client.GenerateEmbeddingsAsync(["cordless drill", "garden hose"]);
        var ours = await service.Server.SendAsync(HttpMethod.Post, "/v1/embed", service.Reader, new { texts = new[] { "cordless drill", "garden hose" } });

        var vectors = result.Value.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.Equal(2, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        var expected = ours.Body.GetProperty("vectors")[1].EnumerateArray().Select(x => x.GetSingle()).ToArray();
        Assert.Equal(expected, vectors[1], (a, b) => Math.Abs(a - b) < 1e-6);
        // Counted by minilm's tokenizer: [CLS] cord ##less drill [SEP] + [CLS] garden hose [SEP], not the 4 words.
        Assert.Equal(5 + 4, result.Value.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Embeddings_BadInput_Is400()
    {
        var tokens = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = new[] { new[] { 1, 2 } }, model = "minilm" });
        var format = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = "x", encoding_format = "int8" });

        Assert.Equal(HttpStatusCode.BadRequest, tokens.Status);
        Assert.Equal(HttpStatusCode.BadRequest, format.Status);
        var error = format.Body.GetProperty("error");
        Assert.StartsWith("encoding_format: 'int8' is not one of", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("encoding_format", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Embeddings_AnError_ReachesTheOfficialOpenAiClientsUser()
    {
        var client = new EmbeddingClient("no-such-model", new ApiKeyCredential(service.Reader),
            new OpenAIClientOptions { Endpoint = new Uri(service.Server.Url + "/v1") });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingsAsync(["cordless drill"]));

        Assert.Equal(400, error.Status);
        Assert.Contains("'no-such-model' is not a model served here", error.Message);
    }

    [Fact]
    public async Task Embeddings_InputTypeQuery_EmbedsAsTheQueryRole_AndAcceptOpenAisBatchSize()
    {
        var query = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = "cordless drill", model = "arctic", input_type = "query" });
        var document = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = "cordless drill", model = "arctic" });
        var ours = await service.Server.SendAsync(HttpMethod.Post, "/v1/embed", service.Reader, new { texts = new[] { "cordless drill" }, model = "arctic", role = "query" });
        var batch = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader,
            new { input = Enumerable.Range(0, 600).Select(i => $"item {i}").ToArray(), model = "minilm-int8" });
        var over = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader,
            new { input = Enumerable.Range(0, 2049).Select(i => "x").ToArray(), model = "minilm-int8" });
        var unknown = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = "x", input_type = "both" });

        static float[] Vector(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();
        var asQuery = Vector(query.Body.GetProperty("data")[0].GetProperty("embedding"));
        Assert.Equal(Vector(ours.Body.GetProperty("vectors")[0]), asQuery, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.NotEqual(Vector(document.Body.GetProperty("data")[0].GetProperty("embedding")), asQuery); // arctic prefixes queries
        Assert.Equal(600, batch.Body.GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, over.Status);
        Assert.Equal("over_limit", over.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("input_type", unknown.Body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Embeddings_WithoutAKey_AnswerOpenAisShape()
    {
        var (status, body) = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", key: null, json: new { input = "drill" });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("authentication_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("unauthorized", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Models_ListTheServedModels_InOpenAisShape()
    {
        var list = await service.Server.SendAsync(HttpMethod.Get, "/v1/models", service.Reader);
        var one = await service.Server.SendAsync(HttpMethod.Get, "/v1/models/minilm-int8", service.Reader);
        var missing = await service.Server.SendAsync(HttpMethod.Get, "/v1/models/no-such-model", service.Reader);

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal("list", list.Body.GetProperty("object").GetString());
        var ids = list.Body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("minilm", ids);
        Assert.Contains("arctic-int8", ids);
        Assert.All(list.Body.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal("minilm-int8", one.Body.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("model_not_found", missing.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("not_found_error", missing.Body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task RerankV2_AnswersCoheresV2Shape()
    {
        var (status, body) = await service.Server.SendAsync(HttpMethod.Post, "/v2/rerank", service.Reader, new
        {
            model = "minilm",
            query = "cordless drill",
            documents = new[] { "Bath Towel Set", "Cordless Hammer Drill", "Garden Hose" },
            top_n = 2,
        });

        Assert.Equal(HttpStatusCode.OK, status);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Equal(1, results[0].GetProperty("index").GetInt32());
        Assert.True(results[0].GetProperty("relevance_score").GetSingle() > results[1].GetProperty("relevance_score").GetSingle());
        Assert.All(results, r => Assert.False(r.TryGetProperty("document", out _)));
        Assert.True(Guid.TryParse(body.GetProperty("id").GetString(), out _));
        Assert.Equal(1, body.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        // Tokens the bi-encoder read: the query once (5: [CLS] cord ##less drill [SEP]) and each document (5 + 6 + 4).
        Assert.Equal(5 + 5 + 6 + 4, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Rerank_InTeisShape_AnswersAnArrayBestFirst_AndItsErrors()
    {
        var texts = new[] { "Bath Towel Set", "Cordless Hammer Drill", "Garden Hose" };
        using var response = await service.Server.Client.SendAsync(
            service.Server.Request(HttpMethod.Post, "/rerank", service.Reader, new { query = "cordless drill", texts, return_text = true }));
        var ranked = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        var empty = await service.Server.SendAsync(HttpMethod.Post, "/rerank", service.Reader, new { query = "drill", texts = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, ranked.Count);
        Assert.Equal(1, ranked[0].GetProperty("index").GetInt32());
        Assert.Equal("Cordless Hammer Drill", ranked[0].GetProperty("text").GetString());
        Assert.True(ranked[0].GetProperty("score").GetSingle() >= ranked[1].GetProperty("score").GetSingle());
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("texts: give a non-empty array of strings", empty.Body.GetProperty("error").GetString());
        Assert.Equal("Validation", empty.Body.GetProperty("error_type").GetString());
    }

    [Fact]
    public async Task Rerank_OrdersDocumentsByRelevance_InTheCommonShape()
    {
        var result = await service.Server.SendAsync(HttpMethod.Post, "/v1/rerank", service.Reader, new
        {
            model = "minilm",
            query = "cordless drill",
            documents = new object[] { "garden hose 50 ft", new { text = "20V cordless drill driver kit" }, "kitchen faucet" },
            top_n = 2,
            return_documents = true,
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var results = result.Body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Equal(1, results[0].GetProperty("index").GetInt32());
        Assert.True(results[0].GetProperty("relevance_score").GetSingle() > results[1].GetProperty("relevance_score").GetSingle());
        Assert.Equal("20V cordless drill driver kit", results[0].GetProperty("document").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Rerank_Errors_AnswerCoheresShape_WithACode()
    {
        var (status, body) = await service.Server.SendAsync(HttpMethod.Post, "/v1/rerank", service.Reader, new { query = "drill", documents = new[] { 5 } });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("documents[0]: give a string or an object with a \"text\" string", body.GetProperty("message").GetString());
        Assert.Equal("invalid_request", body.GetProperty("code").GetString());
    }
}
