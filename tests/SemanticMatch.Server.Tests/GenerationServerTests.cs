using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// Model generations on a real server: SIGKILL in the middle of a build, then a restart that serves a whole generation
/// with every acknowledged write; then a build that completes while searches go on, and a rollback.
/// </summary>
public sealed class GenerationServerTests : IAsyncLifetime
{
    private const int Records = 3000;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-generation-" + Guid.NewGuid().ToString("N"));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SigkillDuringABuild_RestartsOnAWholeGeneration_ThenABuildCompletesUnderSearches_AndRollsBack()
    {
        var data = Path.Combine(_root, "data");
        var models = Path.Combine(_root, "models");
        bool caughtBuilding;
        await using (var server = await ServerProcess.StartAsync(data, models))
        {
            await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
            for (var start = 0; start < Records; start += 1000)
            {
                var batch = Enumerable.Range(start, 1000).Select(i => new { id = $"p{i}", title = $"cordless drill model {i} with battery" }).ToArray();
                Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: batch)).Status);
            }

            var started = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/generations", json: new { model = "minilm-int8" });
            Assert.Equal(HttpStatusCode.Accepted, started.Status);
            Assert.Equal(2, started.Body.GetProperty("generation").GetInt32());
            var during = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "during", title = "garden hose" } });
            var described = await server.SendAsync(HttpMethod.Get, "/v1/collections/shop");
            caughtBuilding = described.Body.TryGetProperty("building", out var building) && building.GetProperty("progress").GetDouble() < 1;
            server.Kill();
            Assert.Equal(HttpStatusCode.OK, during.Status);
        }

        Assert.True(caughtBuilding, "the build finished before the kill: the test did not kill it mid-build");
        await using var restarted = await ServerProcess.StartAsync(data, models);
        var after = await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        Assert.Equal(1, after.Body.GetProperty("generation").GetInt32());
        Assert.Equal("minilm", after.Body.GetProperty("model").GetString());
        Assert.False(after.Body.TryGetProperty("building", out _));
        Assert.Equal(Records + 1, after.Body.GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/during")).Status);
        Assert.False(Directory.Exists(Path.Combine(data, "collections", "shop", "generations", "2")));

        // Built again, to the end, with searches all along: each answers 200 from the generation serving at the time.
        var again = await restarted.SendAsync(HttpMethod.Post, "/v1/collections/shop/generations", json: new { model = "minilm-int8" });
        var generations = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var search = await restarted.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", json: new { query = "garden hose", top = 3, method = "dense" });
            Assert.Equal(HttpStatusCode.OK, search.Status);
            Assert.Equal("during", search.Body.GetProperty("hits")[0].GetProperty("id").GetString());
            var described = await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop");
            generations.Add(described.Body.GetProperty("generation").GetInt32());
            if (described.Body.GetProperty("generation").GetInt32() == 2 && !described.Body.TryGetProperty("building", out _))
            {
                break;
            }
        }

        var switched = await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        var rollback = await restarted.SendAsync(HttpMethod.Post, "/v1/collections/shop/rollback");
        var noPrevious = await restarted.SendAsync(HttpMethod.Post, "/v1/collections/missing/rollback");

        Assert.Equal(HttpStatusCode.Accepted, again.Status);
        Assert.Equal((2, "minilm-int8", Records + 1), (switched.Body.GetProperty("generation").GetInt32(), switched.Body.GetProperty("model").GetString(),
            switched.Body.GetProperty("count").GetInt32()));
        Assert.Contains(2, generations);
        Assert.Equal(HttpStatusCode.OK, rollback.Status);
        Assert.Equal((1, "minilm"), (rollback.Body.GetProperty("generation").GetInt32(), rollback.Body.GetProperty("model").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, noPrevious.Status);
    }
}
