using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// Model generations of the embedded store: a new generation builds while the old one serves, writes during the
/// build reach both, the switch is atomic, rollback is immediate, and a crash during the build leaves a whole generation.
/// </summary>
public sealed class GenerationTests : IAsyncLifetime
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-generations-" + Guid.NewGuid().ToString("N"));
    private readonly GatedModels _models = new();
    private readonly FaultInjectingFiles _files = new(LocalFiles.Instance);
    private EmbeddedCollectionStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = Open(_data);
        await _store.CreateAsync("shop", new CollectionSettings { Model = "minilm" });
        await _store.UpsertAsync("shop", Enumerable.Range(0, 600).Select(i => Records.R($"r{i}", $"cordless drill number {i}")).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        _models.Gate.Release(10_000);
        await _store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ANewGeneration_BuildsWhileTheOldServes_TakesTheWritesMeanwhile_SwitchesWhole_AndRollsBack()
    {
        _models.Armed = true; // the new model's first batch waits: the build is caught in the middle
        var number = await _store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" });
        var during = await _store.DescribeAsync("shop");
        var searchDuring = await _store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Top = 3 });
        var second = await Assert.ThrowsAsync<GenerationConflictException>(() => _store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" }));
        var writes = Task.WhenAll(
            _store.UpsertAsync("shop", [Records.R("new1", "garden hose")]),
            _store.UpsertAsync("shop", [Records.R("r599", "claw hammer")]), // in the last batch: copied after this write
            _store.DeleteAsync("shop", "r1")); // in the first batch
        _models.Armed = false;
        _models.Gate.Release(10_000);
        await writes;
        var switched = await WaitForGenerationAsync(number);
        var searchAfter = await _store.SearchAsync("shop", new CollectionQuery { Query = "claw hammer", Top = 1, Method = SearchMethod.Dense });

        Assert.Equal(2, number);
        Assert.Equal(1, during.Generation);
        Assert.Equal((2, "gated", 0, 600, 0.0), (during.Building!.Generation, during.Building.Settings.Model, during.Building.Done, during.Building.Total, during.Building.Progress));
        Assert.Equal(1, searchDuring.Generation);
        Assert.Equal(3, searchDuring.Hits.Count);
        Assert.Contains("is still being built", second.Message);
        Assert.Equal("gated", switched.Settings.Model);
        Assert.Null(switched.Building);
        Assert.Equal(600, switched.Count); // 600 - r1 + new1
        Assert.Equal(2, searchAfter.Generation);
        Assert.Equal("r599", searchAfter.Hits[0].Record.Id);
        Assert.Null(await _store.FindAsync("shop", "r1"));
        Assert.Equal("garden hose", (await _store.FindAsync("shop", "new1"))!.Text("title"));
        Assert.True(_models.GatedEncoded >= 600, $"the new model embedded {_models.GatedEncoded} texts");

        // Writes after the switch reach the previous generation too, so a rollback loses none of them.
        await _store.UpsertAsync("shop", [Records.R("after", "ladder")]);
        Assert.Equal(1, await _store.RollbackAsync("shop"));
        var rolledBack = await _store.DescribeAsync("shop");
        Assert.Equal((1, "minilm", 601), (rolledBack.Generation, rolledBack.Settings.Model, rolledBack.Count));
        Assert.NotNull(await _store.FindAsync("shop", "after"));
        Assert.Equal("claw hammer", (await _store.FindAsync("shop", "r599"))!.Text("title"));

        // What serves is durable: a restart serves generation 1 again, with generation 2 kept as the previous.
        await _store.DisposeAsync();
        _store = Open(_data);
        Assert.Equal((1, 601), ((await _store.DescribeAsync("shop")).Generation, (await _store.DescribeAsync("shop")).Count));
        Assert.Equal(2, await _store.RollbackAsync("shop"));
        Assert.Equal(("gated", 601), ((await _store.DescribeAsync("shop")).Settings.Model, (await _store.DescribeAsync("shop")).Count));
    }

    [Fact]
    public async Task ACrashDuringTheBuild_RestartsOnTheOldGeneration_WithEveryAcknowledgedWrite_AndRemovesTheHalfBuiltOne()
    {
        _models.Armed = true;
        await _store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" });
        var crashed = Path.Combine(Path.GetTempPath(), "semmatch-crashed-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The disk as a power cut would leave it: the files as they are mid-build (every acknowledged write is flushed).
            CopyDirectory(_data, crashed); // without the lock of the process that "crashed"
            Assert.True(Directory.Exists(Path.Combine(crashed, "collections", "shop", "generations", "2")));
            await using var restarted = Open(crashed);

            var info = await restarted.DescribeAsync("shop");
            Assert.Equal((1, "minilm", 600, null), (info.Generation, info.Settings.Model, info.Count, info.Building));
            Assert.False(Directory.Exists(Path.Combine(crashed, "collections", "shop", "generations", "2")));
            await Assert.ThrowsAsync<GenerationConflictException>(() => restarted.RollbackAsync("shop"));
        }
        finally
        {
            Directory.Delete(crashed, recursive: true);
        }
    }

    [Fact]
    public async Task ABuildTheDiskRefuses_IsDiscarded_AndTheOldGenerationServesOn()
    {
        _files.Fail(StorageOperation.Write, StorageError.NoSpace, pathContains: Path.Combine("shop", "generations", "2", "wal.log"));
        await _store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" });
        var deadline = DateTime.UtcNow + s_patience;
        while ((await _store.DescribeAsync("shop")).Building is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var info = await _store.DescribeAsync("shop");
        _files.Clear();
        await _store.UpsertAsync("shop", [Records.R("later", "garden hose")]);

        Assert.Equal((1, "minilm", null), (info.Generation, info.Settings.Model, info.Building));
        Assert.False(Directory.Exists(Path.Combine(_data, "collections", "shop", "generations", "2")));
        Assert.NotNull(await _store.FindAsync("shop", "later"));
        Assert.Equal(2, await _store.StartGenerationAsync("shop", new CollectionSettings { Model = "gated" })); // may be tried again
    }

    private EmbeddedCollectionStore Open(string data) =>
        EmbeddedCollectionStore.Open(data, _models, new CollectionOptions { Files = _files });

    private async Task<CollectionInfo> WaitForGenerationAsync(int number)
    {
        var deadline = DateTime.UtcNow + s_patience;
        while (DateTime.UtcNow < deadline)
        {
            var info = await _store.DescribeAsync("shop");
            if (info.Generation == number && info.Building is null)
            {
                return info;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"generation {number} did not serve within {s_patience}");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".lock"))
        {
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = File.Create(file.Replace(from, to, StringComparison.Ordinal));
            source.CopyTo(target);
        }
    }
}
