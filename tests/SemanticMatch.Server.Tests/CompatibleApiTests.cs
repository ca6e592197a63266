using System.ClientModel;
using System.Net;
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
    }

    [Fact]
    public async Task Embeddings_BadInput_Is400()
    {
        var tokens = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = new[] { new[] { 1, 2 } }, model = "minilm" });
        var format = await service.Server.SendAsync(HttpMethod.Post, "/v1/embeddings", service.Reader, new { input = "x", encoding_format = "int8" });

        Assert.Equal(HttpStatusCode.BadRequest, tokens.Status);
        Assert.Equal(HttpStatusCode.BadRequest, format.Status);
        Assert.Contains("encoding_format: 'int8'", format.Body.GetProperty("detail").GetString());
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
}
