using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Engine;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Testing;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Tests;

/// <summary><c>index</c>, <c>feedback export</c> and <c>analytics</c> with <c>--store postgres</c> against a real PostgreSQL with pgvector (PGlite).</summary>
public sealed class PostgresStoreCommandTests : IAsyncLifetime
{
    private readonly Semmatch _semmatch = new();
    private PgliteServer _database = null!;

    public async ValueTask InitializeAsync() => _database = await PgliteServer.StartAsync();

    // xUnit calls only DisposeAsync on a class that has both, so the scratch directory goes here too.
    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        _semmatch.Dispose();
    }

    [Fact]
    public async Task Index_LoadsACollectionInBatches_ThatTheStoreSearches_AndAgainReplacesNotDuplicates()
    {
        var products = _semmatch.Write("products.csv", """
            product_id,title,brand
            d1,Cordless Drill 20V,Acme
            f1,White Kitchen Faucet,Flow
            h1,Garden Hose 50 ft,Green
            l1,LED Light Bulb 60W,Bright
            p1,Interior White Paint,Coat
            """);
        string[] args = ["index", "--store", "postgres", "--connection", _database.ConnectionString(), "--collection", "shop", "--products", products,
            "--fields", "title,brand", "--vector-index", "hnsw", "--batch", "2"];

        var first = _semmatch.Run(args);
        var second = _semmatch.Run(args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("loaded 5 products into collection shop", first.Stdout);
        Assert.Equal(0, second.ExitCode);
        using var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models"));
        await using var store = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = _database.ConnectionString() });
        var info = await store.DescribeAsync("shop");
        var hits = (await store.SearchAsync("shop", new CollectionQuery { Query = "hose for watering the garden", Method = SearchMethod.Dense })).Hits;
        Assert.Equal(5, info.Count);
        Assert.Equal(["title", "brand"], info.Settings.Fields);
        Assert.Equal(Search.VectorIndexKind.Hnsw, info.Settings.VectorIndex);
        Assert.Equal("h1", hits[0].Record.Id);
        Assert.Equal("Green", hits[0].Record.Text("brand"));
    }

    [Fact]
    public async Task FeedbackExport_ReadsTheDatabasesLog()
    {
        using (var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models")))
        {
            await using var store = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = _database.ConnectionString() });
            await store.CreateAsync("shop", new CollectionSettings());
            var feedback = new PostgresFeedbackStore(store);
            await feedback.AppendAsync("shop", [TrafficEntry.FromFeedback(new FeedbackEvent(DateTimeOffset.UtcNow, "Drill", ["d1", "d2"], ["d1"], [], null), "q1")]);
            await feedback.AppendAsync("shop", [TrafficEntry.FromFeedback(new FeedbackEvent(DateTimeOffset.UtcNow, "drill ", ["d1", "d2"], [], ["d1"], null, ["d3"]), "q2")]);
        }

        var output = Path.Combine(_semmatch.Root, "judgments.csv");
        var result = _semmatch.Run("feedback", "export", "--store", "postgres", "--connection", _database.ConnectionString(), "--collection", "shop", "--out", output, "--click-model", "naive");
        var missing = _semmatch.Run("feedback", "export", "--store", "postgres", "--connection", _database.ConnectionString(), "--collection", "other", "--out", output + ".2");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("query,product_id,relevance,impressions,clicks\ndrill,d1,3,2,2\ndrill,d2,1,2,0\ndrill,d3,0,1,0\n", await File.ReadAllTextAsync(output));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no collection named 'other'", missing.Stderr);
    }

    [Fact]
    public async Task Analytics_ReadsTheDatabasesLog_AsJsonAndAsTables()
    {
        using (var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models")))
        {
            await using var store = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = _database.ConnectionString() });
            await store.CreateAsync("shop", new CollectionSettings());
            var feedback = new PostgresFeedbackStore(store);
            await feedback.AppendAsync("shop", [TrafficEntry.FromFeedback(new FeedbackEvent(DateTimeOffset.UtcNow, "Drill", ["d1", "d2"], ["d2"], [], null), "q1")]);
            await feedback.AppendAsync("shop", [TrafficEntry.FromFeedback(new FeedbackEvent(DateTimeOffset.UtcNow, "drill ", ["d1", "d2"], [], [], null), "q2")]);
        }

        string[] args = ["analytics", "--store", "postgres", "--connection", _database.ConnectionString(), "--collection", "shop"];
        var json = _semmatch.Run([.. args, "--json"]);
        var table = _semmatch.Run(args);

        Assert.True(json.ExitCode == 0, json.Stderr);
        var report = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(2, report.GetProperty("searches").GetInt32());
        Assert.Equal(1, report.GetProperty("clicked").GetInt32());
        Assert.Equal(0.5, report.GetProperty("clickThroughRate").GetDouble(), 10);
        Assert.Equal(2.0, report.GetProperty("meanClickPosition").GetDouble(), 10);
        Assert.Equal("drill", report.GetProperty("topQueries")[0].GetProperty("query").GetString());
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("shop: 2 searches from", table.Stdout);
        Assert.Contains("without results 0.0 %, click-through 50.0 %, mean click position 2.0", table.Stdout);
    }

    [Fact]
    public async Task ExperimentReport_CountsTheInterleavedSearchesOfTheDatabasesLog()
    {
        using (var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models")))
        {
            await using var store = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = _database.ConnectionString() });
            await store.CreateAsync("shop", new CollectionSettings());
            var feedback = new PostgresFeedbackStore(store);
            for (var i = 0; i < 3; i++)
            {
                var id = $"q{i}";
                var search = new LoggedSearch(id, "drill", "drill", "hybrid", [], 1, 0, ["a", "b"], "s", new Interleaving("shop-v2", "AB"));
                await feedback.AppendAsync("shop", [new TrafficEntry(DateTimeOffset.UtcNow, search, [new LoggedEvent(id, EventAction.Click, i < 2 ? "b" : "a", i < 2 ? 2 : 1, "s")])]);
            }
        }

        string[] args = ["experiment", "report", "--store", "postgres", "--connection", _database.ConnectionString(), "--collection", "shop"];
        var json = _semmatch.Run([.. args, "--json"]);
        var table = _semmatch.Run(args);

        Assert.True(json.ExitCode == 0, json.Stderr);
        var result = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement[0];
        Assert.Equal(("shop-v2", 3, 2, 1, 0), (result.GetProperty("candidate").GetString(), result.GetProperty("searches").GetInt32(),
            result.GetProperty("wins").GetInt32(), result.GetProperty("losses").GetInt32(), result.GetProperty("ties").GetInt32()));
        Assert.Equal(1.0 / 3, result.GetProperty("preference").GetDouble(), 10);
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("shop-v2", table.Stdout);
        Assert.Contains("no difference shown", table.Stdout);
    }
}
