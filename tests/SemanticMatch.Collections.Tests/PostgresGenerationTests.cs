using SemanticMatch.Collections.Postgres;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// Model generations in PostgreSQL: built while the old one serves, writes meanwhile reaching both, an atomic switch,
/// rollback; a replica that dies mid-build leaves the old generation serving with every acknowledged write, and another
/// replica takes the build over once its lease runs out.
/// </summary>
public sealed class PostgresGenerationTests(PgliteFixture database) : IClassFixture<PgliteFixture>, IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(1);
    private readonly GatedModels _models = new();

    public void Dispose()
    {
        _models.Gate.Release(10_000);
        _models.Dispose();
    }

    private static Task<PostgresCollectionStore> OpenAsync(string connection, GatedModels models) =>
        PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions
        {
            ConnectionString = connection,
            FirstRetryDelay = TimeSpan.FromMilliseconds(50),
            BuildLease = s_lease,
        }, TestContext.Current.CancellationToken);

    private async Task<(string Connection, PostgresCollectionStore Store)> SeededAsync(VectorIndexKind index = VectorIndexKind.Exact)
    {
        var connection = await database.EmptyAsync();
        var store = await OpenAsync(connection, _models);
        await store.CreateAsync("shop", new CollectionSettings { Model = "minilm", VectorIndex = index });
        await store.UpsertAsync("shop", Enumerable.Range(0, 600).Select(i => Records.R($"r{i:D3}", $"cordless drill number {i}")).ToList());
        return (connection, store);
    }

    [Theory]
    [InlineData(VectorIndexKind.Exact)]
    [InlineData(VectorIndexKind.Hnsw)]
    public async Task ANewGeneration_BuildsWhileTheOldServes_TakesTheWritesMeanwhile_SwitchesWhole_AndRollsBack(VectorIndexKind index)
    {
        var (connection, store) = await SeededAsync(index);
        await using var _ = store;
        _models.Armed = true; // the new model's first batch waits: the build is caught in the middle
        var number = await store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated", VectorIndex = index });
        var during = await store.DescribeAsync("shop");
        var searchDuring = await store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Top = 3 });
        var second = await Assert.ThrowsAsync<GenerationConflictException>(() => store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" }));
        var rollbackDuring = await Assert.ThrowsAsync<GenerationConflictException>(() => store.RollbackAsync("shop"));
        var writes = Task.WhenAll(
            store.UpsertAsync("shop", [Records.R("new1", "garden hose")]),
            store.UpsertAsync("shop", [Records.R("r599", "claw hammer")]), // in the last batch: copied after this write
            store.DeleteAsync("shop", "r001")); // in the first batch
        _models.Armed = false;
        _models.Gate.Release(10_000);
        await writes;
        var switched = await WaitForAsync(store, i => i.Generation == number && i.Building is null);
        var searchAfter = await store.SearchAsync("shop", new CollectionQuery { Query = "claw hammer", Top = 1, Method = SearchMethod.Dense });

        Assert.Equal(2, number);
        Assert.Equal(1, during.Generation);
        Assert.Equal((2, "gated", 0, 600, 0.0), (during.Building!.Generation, during.Building.Settings.Model, during.Building.Done, during.Building.Total, during.Building.Progress));
        Assert.Equal(1, searchDuring.Generation);
        Assert.Equal(3, searchDuring.Hits.Count);
        Assert.Contains("is still being built", second.Message);
        Assert.Contains("is being built", rollbackDuring.Message);
        Assert.Equal(("gated", 600, null), (switched.Settings.Model, switched.Count, switched.Building)); // 600 - r001 + new1
        Assert.Equal(2, searchAfter.Generation);
        Assert.Equal("r599", searchAfter.Hits[0].Record.Id);
        Assert.Null(await store.FindAsync("shop", "r001"));
        Assert.Equal("garden hose", (await store.FindAsync("shop", "new1"))!.Text("title"));
        Assert.True(_models.GatedEncoded >= 600, $"the new model embedded {_models.GatedEncoded} texts");

        // Writes after the switch reach the previous generation too, so a rollback loses none of them.
        await store.UpsertAsync("shop", [Records.R("after", "ladder")]);
        await store.SetSynonymsAsync("shop", new Synonyms([["hose", "tube"]]));
        Assert.Equal(1, await store.RollbackAsync("shop"));
        var rolledBack = await store.DescribeAsync("shop");
        Assert.Equal((1, "minilm", 601), (rolledBack.Generation, rolledBack.Settings.Model, rolledBack.Count));
        Assert.NotNull(await store.FindAsync("shop", "after"));
        Assert.Equal("claw hammer", (await store.FindAsync("shop", "r599"))!.Text("title"));
        Assert.Single((await store.SynonymsAsync("shop")).Groups);

        // What serves is in the database: another replica serves generation 1 too, with generation 2 kept as the previous.
        await using var other = await OpenAsync(connection, _models);
        Assert.Equal((1, 601), ((await other.DescribeAsync("shop")).Generation, (await other.DescribeAsync("shop")).Count));
        Assert.Equal(2, await other.RollbackAsync("shop"));
        Assert.Equal(("gated", 601), ((await store.DescribeAsync("shop")).Settings.Model, (await store.DescribeAsync("shop")).Count));

        // A third generation retires the first; dropping removes every generation.
        _models.Armed = false;
        Assert.Equal(3, await store.StartGenerationAsync("shop", new CollectionSettings { Model = "minilm", VectorIndex = index }));
        await WaitForAsync(store, i => i.Generation == 3 && i.Building is null);
        Assert.Equal(2, await store.RollbackAsync("shop"));
        Assert.True(await store.DropAsync("shop"));
        Assert.Empty(await store.ListAsync());
        Assert.True(await store.CreateAsync("shop", new CollectionSettings { Model = "minilm", VectorIndex = index }));
        Assert.Equal((1, 0), ((await store.DescribeAsync("shop")).Generation, (await store.DescribeAsync("shop")).Count));
    }

    [Fact]
    public async Task AReplicaThatDiesMidBuild_LeavesTheOldGenerationServing_AndAnotherReplicaFinishesTheBuild()
    {
        var (connection, dying) = await SeededAsync();
        _models.Armed = true; // the dying replica's build is held in its first batch for good
        await dying.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" });
        Assert.True(await Eventually.HoldsAsync(() => _models.Held == 1, s_patience), "the build did not reach the gate");
        _models.Armed = false;
        await dying.UpsertAsync("shop", [Records.R("during", "garden hose")]); // acknowledged: in both generations

        await using var restarted = await OpenAsync(connection, _models);
        var first = await restarted.DescribeAsync("shop");
        var finished = await WaitForAsync(restarted, i => i.Generation == 2 && i.Building is null);
        _models.Gate.Release(10_000); // the dead replica wakes: its lease is gone, its batch is refused
        await dying.DisposeAsync();
        var info = await restarted.DescribeAsync("shop");

        Assert.Equal((1, "minilm"), (first.Generation, first.Settings.Model));
        Assert.NotNull(first.Building);
        Assert.Equal((2, "gated"), (finished.Generation, finished.Settings.Model));
        Assert.Equal((2, 601, null), (info.Generation, info.Count, info.Building));
        Assert.NotNull(await restarted.FindAsync("shop", "during"));
        Assert.Equal(601, (await restarted.SearchAsync("shop", new CollectionQuery { Query = "cordless drill garden hose", Top = 1000, Method = SearchMethod.Bm25 })).Hits.Count);
        Assert.Equal(1, await restarted.RollbackAsync("shop"));
        Assert.Equal(601, (await restarted.DescribeAsync("shop")).Count);
    }

    [Fact]
    public async Task ABuildWhoseModelFails_IsDiscarded_SaysWhy_AndTheOldGenerationServesOn()
    {
        var (_, store) = await SeededAsync();
        await using var _ = store;
        _models.Failing = true;
        await store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" });
        var info = await WaitForAsync(store, i => i.Building is null);
        _models.Failing = false;
        await store.UpsertAsync("shop", [Records.R("later", "garden hose")]);

        Assert.Equal((1, "minilm", 600), (info.Generation, info.Settings.Model, info.Count));
        Assert.Equal("generation 2: the gated model failed", info.BuildFailure);
        Assert.NotNull(await store.FindAsync("shop", "later"));
        Assert.Single(await store.ListAsync());
        Assert.Equal(2, await store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" })); // may be tried again
        Assert.Equal((2, 601), ((await WaitForAsync(store, i => i.Building is null)).Generation, (await store.DescribeAsync("shop")).Count));
    }

    private static async Task<CollectionInfo> WaitForAsync(PostgresCollectionStore store, Func<CollectionInfo, bool> condition)
    {
        var deadline = DateTime.UtcNow + s_patience;
        while (DateTime.UtcNow < deadline)
        {
            var info = await store.DescribeAsync("shop");
            if (condition(info))
            {
                return info;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the collection did not reach the state within {s_patience}: {await store.DescribeAsync("shop")}");
    }
}
