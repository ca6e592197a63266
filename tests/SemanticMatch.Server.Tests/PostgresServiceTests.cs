using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;
using SemanticMatch.Testing;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// Real <c>semmatch serve --store postgres</c> processes on a real PostgreSQL with pgvector (PGlite): replicas that share
/// the database, and a database killed mid-ingest.
/// </summary>
public sealed class PostgresServiceTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-pgserve-" + Guid.NewGuid().ToString("N"));
    private PgliteServer _database = null!;

    private string Models => Path.Combine(_root, "models");

    public async ValueTask InitializeAsync() => _database = await PgliteServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<ServerProcess> ReplicaAsync(string name, params string[] extra) =>
        ServerProcess.StartAsync(Path.Combine(_root, name), Models, ["--store", "postgres", "--connection", _database.ConnectionString(pool: 4), .. extra]);

    [Fact]
    public async Task SigkillOfTheReplicaBuildingAGeneration_LeavesAWholeGenerationServing_AndAnotherReplicaFinishesTheBuild()
    {
        const int Count = 1500;
        bool caughtBuilding;
        await using (var dying = await ReplicaAsync("a", "--build-lease", "2"))
        {
            await dying.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
            foreach (var batch in Enumerable.Range(0, Count).Select(i => new { id = $"p{i}", title = $"cordless drill model {i} with battery" }).Chunk(500))
            {
                Assert.Equal(HttpStatusCode.OK, (await dying.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: batch)).Status);
            }

            var started = await dying.SendAsync(HttpMethod.Post, "/v1/collections/shop/generations", json: new { model = "minilm-int8" });
            var during = await dying.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "during", title = "garden hose" } });
            var described = await dying.SendAsync(HttpMethod.Get, "/v1/collections/shop");
            caughtBuilding = described.Body.TryGetProperty("building", out var building) && building.GetProperty("progress").GetDouble() < 1;
            dying.Kill();
            Assert.Equal((HttpStatusCode.Accepted, 2), (started.Status, started.Body.GetProperty("generation").GetInt32()));
            Assert.Equal(HttpStatusCode.OK, during.Status);
        }

        Assert.True(caughtBuilding, "the build finished before the kill: the test did not kill it mid-build");
        await using var other = await ReplicaAsync("b", "--build-lease", "2");
        var first = await other.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        var search = await other.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", json: new { query = "garden hose", top = 1, method = "dense" });
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var switched = first;
        while (DateTime.UtcNow < deadline && (switched.Body.GetProperty("generation").GetInt32() != 2 || switched.Body.TryGetProperty("building", out _)))
        {
            await Task.Delay(250);
            switched = await other.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        }

        var after = await other.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", json: new { query = "garden hose", top = 1, method = "dense" });
        var rollback = await other.SendAsync(HttpMethod.Post, "/v1/collections/shop/rollback");

        Assert.Equal((1, "minilm", Count + 1), (first.Body.GetProperty("generation").GetInt32(), first.Body.GetProperty("model").GetString(),
            first.Body.GetProperty("count").GetInt32()));
        Assert.Equal("during", search.Body.GetProperty("hits")[0].GetProperty("id").GetString());
        Assert.Equal((2, "minilm-int8", Count + 1), (switched.Body.GetProperty("generation").GetInt32(), switched.Body.GetProperty("model").GetString(),
            switched.Body.GetProperty("count").GetInt32()));
        Assert.Equal("during", after.Body.GetProperty("hits")[0].GetProperty("id").GetString());
        Assert.Equal((HttpStatusCode.OK, 1), (rollback.Status, rollback.Body.GetProperty("generation").GetInt32()));
    }

    [Fact]
    public async Task TwoReplicas_SeeEachOthersWritesAtOnce_AndServeTheDemoAndThePage()
    {
        await using var first = await ReplicaAsync("a");
        await using var second = await ReplicaAsync("b");

        var created = await first.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { fields = new[] { "title" }, vectorIndex = "hnsw" });
        var upserted = await first.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V", price = 99 },
            new { id = "h1", title = "Garden Hose 50 ft", price = 25 },
        });
        var record = await second.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/d1");
        var search = await second.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", json: new { query = "hose for the garden", method = "hybrid" });
        var deleted = await second.SendAsync(HttpMethod.Delete, "/v1/collections/shop/records/h1");
        var gone = await first.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/h1");
        var feedback = await second.SendAsync(HttpMethod.Post, "/v1/collections/shop/feedback", json: new { query = "drill", shown = new[] { "d1" }, clicked = new[] { "d1" }, session = "s1" });
        var demo = await second.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", json: new { query = "cordles dril", top = 3 });
        using var page = await second.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, upserted.Status);
        Assert.Equal(HttpStatusCode.OK, record.Status);
        Assert.Equal("Cordless Drill 20V", record.Body.GetProperty("title").GetString());
        Assert.Equal("h1", search.Body.GetProperty("hits")[0].GetProperty("record").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(HttpStatusCode.NoContent, feedback.Status);
        Assert.Equal(HttpStatusCode.OK, demo.Status);
        Assert.Equal("cordless drill", demo.Body.GetProperty("searched").GetString());
        Assert.True(demo.Body.GetProperty("corrected").GetBoolean());
        Assert.Contains("drill", demo.Body.GetProperty("hits")[0].GetProperty("record").GetProperty("title").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("collections in the PostgreSQL", first.Output);
    }

    [Fact]
    public async Task CollectionWithARanker_IsRankedByEveryReplica()
    {
        var ranker = Path.Combine(_root, "ranker");
        RankerWriter.Write(ranker, TinyRanker.Train());
        await using var first = await ReplicaAsync("a");
        await using var second = await ReplicaAsync("b");

        var created = await first.SendAsync(HttpMethod.Put, "/v1/collections/ranked", json: new { model = "minilm", ranker });
        await first.SendAsync(HttpMethod.Post, "/v1/collections/ranked/records", json: new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V" }, new { id = "d2", title = "Cordless Drill Kit with Battery" }, new { id = "h1", title = "Garden Hose 50 ft" },
        });
        var results = await Task.WhenAll(new[] { first, second }.Select(r =>
            r.SendAsync(HttpMethod.Post, "/v1/collections/ranked/search", json: new { query = "cordless drill", top = 3 })));
        var bm25 = await second.SendAsync(HttpMethod.Post, "/v1/collections/ranked/search", json: new { query = "drill", method = "bm25" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var hits = results.Select(r => r.Body.GetProperty("hits").EnumerateArray()
            .Select(h => (Id: h.GetProperty("record").GetProperty("id").GetString(), Probability: h.GetProperty("probability").GetSingle())).ToList()).ToList();
        Assert.Equal(3, hits[0].Count);
        Assert.Equal(hits[0], hits[1]); // the same ranker, the same order and probabilities on both replicas
        Assert.All(hits[0], h => Assert.InRange(h.Probability, 0f, 1f));
        Assert.All(bm25.Body.GetProperty("hits").EnumerateArray(), h => Assert.False(h.TryGetProperty("probability", out _)));
    }

    [Fact]
    public async Task DatabaseKilledMidIngest_Answers503NotFiveHundred_AndLosesNoAcknowledgedWrite()
    {
        await using var server = await ReplicaAsync("a");
        Assert.Equal(HttpStatusCode.Created, (await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { fields = new[] { "title" } })).Status);
        var acknowledged = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var unavailable = new ConcurrentBag<JsonElement>();
        using var stop = new CancellationTokenSource();

        // Two writers send batches of new records; a 503 is retried after its Retry-After, as a client should.
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var batch = 0; !stop.IsCancellationRequested || batch < 5; batch++)
            {
                var ids = Enumerable.Range(0, 20).Select(i => $"w{w}-b{batch}-{i}").ToList();
                while (true)
                {
                    var (status, body) = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records",
                        json: ids.Select(id => new { id, title = $"cordless drill model {id}" }).ToArray());
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status == HttpStatusCode.OK)
                    {
                        ids.ForEach(acknowledged.Add);
                        break;
                    }

                    if (status != HttpStatusCode.ServiceUnavailable)
                    {
                        return;
                    }

                    unavailable.Add(body);
                    await Task.Delay(500);
                }

                if (batch >= 400) // bounded; the writers normally stop once the test has restarted the database
                {
                    return;
                }
            }
        })).ToList();

        await Task.Delay(1500);
        _database.Kill();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await _database.RestartAsync();
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var missing = new List<string>();
        foreach (var id in acknowledged)
        {
            if ((await server.SendAsync(HttpMethod.Get, $"/v1/collections/shop/records/{id}")).Status != HttpStatusCode.OK)
            {
                missing.Add(id);
            }
        }

        var described = await server.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], statuses.Keys.Order());
        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, body => Assert.Equal(503, body.GetProperty("status").GetInt32()));
        Assert.Empty(missing);
        Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} records acknowledged");
        Assert.Equal(acknowledged.Count, described.Body.GetProperty("count").GetInt32());
    }
}
