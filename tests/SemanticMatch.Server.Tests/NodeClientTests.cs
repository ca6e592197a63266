using System.Text.Json;
using SemanticMatch.Testing;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// The npm clients people use (openai-node, LangChain JS, Cohere's v1 and v2 clients, LangChain's Cohere re-ranker)
/// against a real server: their answers equal the server's own routes, and on an error their users see our reason.
/// Runs tools/clients/call.mjs; skipped when <c>npm ci --prefix tools/clients</c> has not run.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class NodeClientTests(ServiceFixture service)
{
    private const string UnknownModel = "'no-such-model' is not a model served here";
    private static readonly string[] s_texts = ["cordless drill", "garden hose", "ceiling fan with light"];

    [Fact]
    public async Task OpenAiNode_Embeddings_AreOurVectors_WithTokenUsage()
    {
        var answer = await CallAsync("openai-embeddings");
        var ours = await OurVectorsAsync(s_texts);

        var vectors = answer.GetProperty("vectors").EnumerateArray().Select(Floats).ToList();
        Assert.Equal(3, vectors.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ours[i], vectors[i], (a, b) => Math.Abs(a - b) < 1e-6);
        }

        // "[CLS] cordless drill [SEP]" 5 + "[CLS] garden hose [SEP]" 4 + "[CLS] ceiling fan with light [SEP]" 6, counted by
        // minilm's own tokenizer ("cordless" is two word pieces), not the 7 words.
        Assert.Equal(15, answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task OpenAiNode_ListsTheServedModels()
    {
        var ids = (await CallAsync("openai-models")).GetProperty("ids").EnumerateArray().Select(i => i.GetString()).ToList();

        Assert.Contains("minilm", ids);
        Assert.Contains("arctic-int8", ids);
    }

    [Theory]
    [InlineData("openai-embeddings-error")]
    [InlineData("langchain-embed-error")]
    [InlineData("cohere-v1-rerank-error")]
    public async Task AnError_ReachesTheClientsUser_WithOurReason(string scenario)
    {
        var error = await ErrorAsync(scenario);

        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Contains(UnknownModel, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task CohereV2_AnError_ReachesTheClientsUser_WithOurReason()
    {
        var error = await ErrorAsync("cohere-v2-rerank-error");

        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Contains("query: give the text to rank against", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task LangChain_EmbedDocuments_InItsDefaultBatchesOf512_GetsEveryVector()
    {
        var answer = await CallAsync("langchain-embed-documents");
        var lastText = answer.GetProperty("lastText").GetString()!;
        var ours = await OurVectorsAsync(["cordless drill 0", lastText]);

        Assert.Equal(600, answer.GetProperty("count").GetInt32());
        Assert.Equal(ours[0], Floats(answer.GetProperty("first")), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(ours[1], Floats(answer.GetProperty("last")), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task CohereV1_And_V2_Rerank_AreOurScores_BestFirst()
    {
        var v1 = (await CallAsync("cohere-v1-rerank")).GetProperty("results");
        var v2 = (await CallAsync("cohere-v2-rerank")).GetProperty("results");
        var (_, ours) = await service.Server.SendAsync(HttpMethod.Post, "/v1/match", service.Reader, new { query = "drill", texts = s_texts });
        var scores = ours.GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()).ToArray();
        var order = Enumerable.Range(0, 3).OrderByDescending(i => scores[i]).ToArray();

        Assert.Equal(order, v2.EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(order.Take(2), v1.EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(s_texts[order[0]], v1[0].GetProperty("text").GetString());
        Assert.Equal(scores[order[0]], v2[0].GetProperty("score").GetSingle(), 1e-5f);
    }

    [Fact]
    public async Task LangChainsCohereRerank_KeepsTheBestDocuments()
    {
        var kept = (await CallAsync("langchain-cohere-rerank")).GetProperty("kept").EnumerateArray().ToList();

        Assert.Equal(["cordless drill", "garden hose"], kept.Select(k => k.GetProperty("text").GetString()));
        Assert.True(kept[0].GetProperty("score").GetDouble() > kept[1].GetProperty("score").GetDouble());
    }

    private async Task<JsonElement> CallAsync(string scenario)
    {
        var answer = await RunAsync(scenario);
        Assert.True(answer.TryGetProperty("ok", out var ok), $"{scenario}: {answer}");
        return ok;
    }

    private async Task<JsonElement> ErrorAsync(string scenario)
    {
        var answer = await RunAsync(scenario);
        Assert.True(answer.TryGetProperty("error", out var error), $"{scenario} did not fail: {answer}");
        return error;
    }

    private async Task<JsonElement> RunAsync(string scenario)
    {
        var (script, missing) = Repository.Tool("clients", "node_modules", "cohere-ai", "package.json");
        if (script is null)
        {
            Assert.Skip(missing!);
        }

        var (exit, output, errors) = await Repository.NodeAsync(
            [Path.Combine(Repository.Root!.FullName, "tools", "clients", "call.mjs"), scenario],
            new Dictionary<string, string> { ["SEMMATCH_URL"] = service.Server.Url, ["SEMMATCH_KEY"] = service.Reader });
        Assert.True(exit == 0, $"{scenario} exited {exit}: {errors}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private async Task<List<float[]>> OurVectorsAsync(string[] texts)
    {
        var (_, body) = await service.Server.SendAsync(HttpMethod.Post, "/v1/embed", service.Reader, new { texts, model = "minilm" });
        return body.GetProperty("vectors").EnumerateArray().Select(Floats).ToList();
    }

    private static float[] Floats(JsonElement vector) => vector.EnumerateArray().Select(x => x.GetSingle()).ToArray();
}
