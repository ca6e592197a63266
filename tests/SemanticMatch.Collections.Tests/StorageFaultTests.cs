using SemanticMatch.Collections.Storage;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// Storage faults as an input: writes refused by a full disk, a failing device or an immutable file are answered with
/// <see cref="StorageFaultException"/>, never applied later, and the collection takes writes again once the fault clears.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-faults-" + Guid.NewGuid().ToString("N"));
    private readonly FakeModels _models = new();
    private readonly FaultInjectingFiles _files = new(LocalFiles.Instance);
    private EmbeddedCollectionStore _store = null!;

    private string Log => Path.Combine(_data, "collections", "shop", "wal.log");

    public async ValueTask InitializeAsync()
    {
        _store = Open(snapshotAfter: 64L << 20);
        await _store.CreateAsync("shop", new CollectionSettings());
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData(StorageOperation.Write, StorageError.NoSpace)]
    [InlineData(StorageOperation.Fsync, StorageError.IoError)]
    [InlineData(StorageOperation.Fsync, StorageError.NoSpace)]
    public async Task RefusedWrite_IsNeverAppliedLater_AndSequencesAreNotReused(StorageOperation operation, StorageError error)
    {
        await _store.UpsertAsync("shop", [Records.R("ok1", "Cordless Drill")]);
        _files.Fail(operation, error, times: 1);
        var refused = await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("failed", "Garden Hose")]));
        var afterRefusal = await _store.FindAsync("shop", "failed");
        await _store.UpsertAsync("shop", [Records.R("ok2", "Claw Hammer")]);

        await ReopenAsync();

        Assert.Equal(error == StorageError.NoSpace, refused.IsFull);
        Assert.Null(afterRefusal);
        Assert.NotNull(await _store.FindAsync("shop", "ok1"));
        Assert.NotNull(await _store.FindAsync("shop", "ok2"));
        Assert.Null(await _store.FindAsync("shop", "failed"));
        var sequences = LogScan.Read(Log).Frames.Select(f => f.Sequence).ToList();
        Assert.Equal([1L, 3L], sequences); // the refused commit spent 2: it is never used again
    }

    [Fact]
    public async Task ASearchTheTrafficLogCannotWrite_IsCountedLost_AndTheNextOneIsWritten()
    {
        using var feedback = new Feedback.FileFeedbackStore(_data, _files);
        await using var log = new Feedback.TrafficLog(feedback);
        await log.AppendAsync("shop", new Feedback.TrafficEntry(DateTimeOffset.UtcNow, null, [])); // the log file exists
        _files.Fail(StorageOperation.Write, StorageError.NoSpace, times: 1, pathContains: "feedback");

        log.LogSearch("shop", new Feedback.LoggedSearch("q1", "drill", "drill", "hybrid", [], 1, 0, ["a"], null));
        var lost = await Eventually.HoldsAsync(() => log.LostSearches == 1, s_patience);
        log.LogSearch("shop", new Feedback.LoggedSearch("q2", "hose", "hose", "hybrid", [], 1, 0, ["b"], null));
        await log.AppendAsync("shop", new Feedback.TrafficEntry(DateTimeOffset.UtcNow, null, [])); // written after q2

        var logged = new List<string>();
        await foreach (var entry in feedback.ReadAsync("shop"))
        {
            logged.AddRange(entry.Search is { } search ? [search.QueryId] : []);
        }

        Assert.True(lost);
        Assert.Equal(1, log.LostSearches);
        Assert.Equal(["q2"], logged);
    }

    [Fact]
    public async Task WhileTheLogCannotBeCutBack_WritesAreRefused_ThenAcceptedOnceTheFaultClears()
    {
        await _store.UpsertAsync("shop", [Records.R("ok1", "Cordless Drill")]);
        _files.Fail(StorageOperation.Fsync, StorageError.IoError, times: 1);
        _files.Fail(StorageOperation.Truncate, StorageError.PermissionDenied);
        await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("failed", "Garden Hose")]));
        await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("also-failed", "Rake")]));
        _files.Clear();
        await _store.UpsertAsync("shop", [Records.R("ok2", "Claw Hammer")]).WaitAsync(s_patience);

        await ReopenAsync();

        Assert.Equal(["ok1", "ok2"], await IdsAsync());
    }

    [Theory]
    [InlineData(StorageOperation.Write, StorageError.NoSpace)]
    [InlineData(StorageOperation.Fsync, StorageError.IoError)]
    public async Task RefusedAliasOrExperiment_IsNeverAppliedLater_AndTheOldOneStays(StorageOperation operation, StorageError error)
    {
        await _store.CreateAsync("shop-v2", new CollectionSettings());
        await _store.SetAliasAsync("front", "shop");
        await _store.StartExperimentAsync(new Collections.Experiments.Experiment("shop", "shop-v2", 0.1, DateTimeOffset.UnixEpoch));
        _files.Fail(operation, error, times: 1, pathContains: "aliases.json");
        var alias = await Assert.ThrowsAsync<StorageFaultException>(() => _store.SetAliasAsync("front", "shop-v2"));
        _files.Fail(operation, error, times: 1, pathContains: "experiments.json");
        var experiment = await Assert.ThrowsAsync<StorageFaultException>(() => _store.StopExperimentAsync("shop"));
        var resolvedBefore = await _store.ResolveAliasAsync("front");
        var runningBefore = await _store.ExperimentAsync("shop");
        await ReopenAsync();

        Assert.Contains("the aliases could not be saved", alias.Message);
        Assert.Contains("the experiments could not be saved", experiment.Message);
        Assert.Equal(("shop", "shop"), (resolvedBefore, await _store.ResolveAliasAsync("front")));
        Assert.Equal((0.1, 0.1), (runningBefore!.Share, (await _store.ExperimentAsync("shop"))!.Share));
    }

    [Theory]
    [InlineData(StorageError.PermissionDenied)]
    [InlineData(StorageError.IoError)]
    public async Task AFailingLog_DoesNotStopTheCollection_NorItsShutdown(StorageError error)
    {
        _files.Fail(StorageOperation.Write, error);
        var first = await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("a", "Drill")]).WaitAsync(s_patience));
        await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("b", "Hose")]).WaitAsync(s_patience));
        _files.Clear();
        await _store.UpsertAsync("shop", [Records.R("c", "Hammer")]).WaitAsync(s_patience);
        _files.Fail(StorageOperation.Write, error);
        var pending = _store.UpsertAsync("shop", [Records.R("d", "Rake")]);

        await _store.DisposeAsync().AsTask().WaitAsync(s_patience);
        await Assert.ThrowsAsync<StorageFaultException>(() => pending.WaitAsync(s_patience));
        _files.Clear();
        _store = Open(snapshotAfter: 64L << 20);

        Assert.False(first.IsFull);
        Assert.Equal(["c"], await IdsAsync());
    }

    [Theory]
    [InlineData(StorageOperation.Write)]
    [InlineData(StorageOperation.Fsync)]
    [InlineData(StorageOperation.Rename)]
    [InlineData(StorageOperation.DirectorySync)]
    public async Task AFailedSnapshot_KeepsTheLogAndTheOldSnapshot_AndWritesGoOn(StorageOperation operation)
    {
        await _store.DisposeAsync();
        _store = Open(snapshotAfter: 600);
        for (var i = 0; i < 6; i++)
        {
            await _store.UpsertAsync("shop", [Records.R($"p{i}", $"Product {i} drill")]);
        }

        await _store.DisposeAsync(); // the last snapshot is finished
        var snapshot = Path.Combine(_data, "collections", "shop", "snapshot.jsonl");
        var before = File.ReadAllBytes(snapshot);
        _store = Open(snapshotAfter: 600);
        _files.Fail(operation, StorageError.PermissionDenied, pathContains: operation == StorageOperation.DirectorySync ? "shop" : "snapshot.jsonl.tmp");
        for (var i = 6; i < 20; i++)
        {
            await _store.UpsertAsync("shop", [Records.R($"p{i}", $"Product {i} drill")]).WaitAsync(s_patience);
        }

        var logged = new FileInfo(Log).Length;
        var after = operation == StorageOperation.DirectorySync ? null : File.ReadAllBytes(snapshot);
        _files.Clear();
        await ReopenAsync();

        if (after is not null)
        {
            Assert.Equal(before, after);
        }

        Assert.True(logged > 600, $"the log was emptied though no snapshot held it ({logged} bytes)");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p{i}").Order(StringComparer.Ordinal), await IdsAsync());
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(snapshot)!, "*.tmp"));
    }

    [Theory]
    [InlineData(StorageOperation.Rename)]
    [InlineData(StorageOperation.DirectorySync)]
    public async Task AFailedDrop_LeavesTheCollectionServing_AndAfterARestart(StorageOperation operation)
    {
        await _store.UpsertAsync("shop", [Records.R("a", "Cordless Drill")]);
        _files.Fail(operation, StorageError.PermissionDenied, times: 1);

        await Assert.ThrowsAsync<StorageFaultException>(() => _store.DropAsync("shop").WaitAsync(s_patience));
        var served = await _store.FindAsync("shop", "a");
        await _store.UpsertAsync("shop", [Records.R("b", "Hose")]);
        await ReopenAsync();

        Assert.NotNull(served);
        Assert.Equal(["a", "b"], await IdsAsync());
        Assert.True(await _store.DropAsync("shop"));
        await ReopenAsync();
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => _store.DescribeAsync("shop"));
    }

    [Theory]
    [InlineData(StorageOperation.Write)]
    [InlineData(StorageOperation.Rename)]
    [InlineData(StorageOperation.DirectorySync)]
    public async Task AFailedCreate_CreatesNothing_AndCanBeRepeated(StorageOperation operation)
    {
        _files.Fail(operation, StorageError.NoSpace, times: 1);

        var refused = await Assert.ThrowsAsync<StorageFaultException>(() => _store.CreateAsync("other", new CollectionSettings()));
        var missing = await Assert.ThrowsAsync<CollectionNotFoundException>(() => _store.DescribeAsync("other"));

        Assert.True(refused.IsFull);
        Assert.NotNull(missing);
        Assert.True(await _store.CreateAsync("other", new CollectionSettings()));
        await ReopenAsync();
        Assert.Equal(0, (await _store.DescribeAsync("other")).Count);
    }

    [Fact]
    public async Task ALogThatCannotBeOpenedForWritingAtStart_StillServesItsRecords_AndTakesWritesOnceItCan()
    {
        await _store.UpsertAsync("shop", [Records.R("a", "Cordless Drill")]);
        await _store.DisposeAsync();
        File.AppendAllText(Log, "\u0010\0\0\0a torn tail"); // and a tail that must be cut before the next write
        _files.Fail(StorageOperation.Open, StorageError.PermissionDenied);
        _store = Open(snapshotAfter: 64L << 20);

        var unavailable = _store.Unavailable.Keys.ToList();
        var served = await _store.FindAsync("shop", "a");
        await Assert.ThrowsAsync<StorageFaultException>(() => _store.UpsertAsync("shop", [Records.R("b", "Hose")]));
        _files.Clear();
        await _store.UpsertAsync("shop", [Records.R("c", "Hammer")]).WaitAsync(s_patience);
        await ReopenAsync();

        Assert.Empty(unavailable);
        Assert.NotNull(served);
        Assert.Equal(["a", "c"], await IdsAsync());
        Assert.Empty(LogScan.Read(Log).Damage);
    }

    // Seeded random faults on every operation (writes, fsyncs, cuts, renames, directory syncs, snapshots due often):
    // after the faults clear and the store reopens, it holds exactly what was acknowledged.
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 20)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomFaults_AfterReopen_HoldExactlyWhatWasAcknowledged(int seed)
    {
        await _store.DisposeAsync();
        _store = Open(snapshotAfter: 1500);
        var random = new Random(seed);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        _files.FailAtRandom(seed, rate: 0.25);
        var refusals = 0;
        for (var step = 0; step < 80; step++)
        {
            var id = $"p{random.Next(25)}";
            var title = $"Product {step} drill";
            try
            {
                if (random.Next(4) == 0)
                {
                    if (await _store.DeleteAsync("shop", id))
                    {
                        expected.Remove(id);
                    }
                }
                else
                {
                    await _store.UpsertAsync("shop", [Records.R(id, title)]).WaitAsync(s_patience);
                    expected[id] = title;
                }
            }
            catch (StorageFaultException)
            {
                refusals++;
            }
        }

        _files.Clear();
        await ReopenAsync();

        Assert.True(refusals > 5, $"seed {seed}: only {refusals} refusals; the test exercises little");
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in Enumerable.Range(0, 25).Select(i => $"p{i}"))
        {
            if (await _store.FindAsync("shop", id) is { } record)
            {
                actual[id] = record.Text("title");
            }
        }

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        var sequences = LogScan.Read(Log).Frames.Select(f => f.Sequence).ToList();
        Assert.Equal(sequences.Order().Distinct(), sequences);
    }

    [Theory]
    [InlineData(StorageOperation.Open)]
    [InlineData(StorageOperation.Write)]
    [InlineData(StorageOperation.Fsync)]
    [InlineData(StorageOperation.Rename)]
    public async Task RefusedSynonyms_KeepTheOldOnes_NowAndAfterARestart_AndTheNextWriteTakes(StorageOperation operation)
    {
        var couch = new Synonyms([["couch", "sofa"]]);
        var hose = new Synonyms([["hose", "hosepipe"]]);
        await _store.SetSynonymsAsync("shop", couch);
        _files.Fail(operation, StorageError.NoSpace, times: 1, pathContains: "synonyms");

        var refused = await Assert.ThrowsAsync<StorageFaultException>(() => _store.SetSynonymsAsync("shop", hose));
        var inForce = await _store.SynonymsAsync("shop");
        await ReopenAsync();
        var afterRestart = await _store.SynonymsAsync("shop");
        await _store.SetSynonymsAsync("shop", hose);
        await ReopenAsync();

        Assert.True(refused.IsFull);
        Assert.Equal(couch.Groups, inForce.Groups);
        Assert.Equal(couch.Groups, afterRestart.Groups);
        Assert.Equal(hose.Groups, (await _store.SynonymsAsync("shop")).Groups);
    }

    private EmbeddedCollectionStore Open(long snapshotAfter) =>
        EmbeddedCollectionStore.Open(_data, _models, new CollectionOptions { Files = _files, SnapshotAfterLogBytes = snapshotAfter });

    private async Task ReopenAsync()
    {
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);
    }

    private async Task<List<string>> IdsAsync()
    {
        var hits = (await _store.SearchAsync("shop", new CollectionQuery { Query = "drill hose hammer rake product", Method = Search.SearchMethod.Bm25, Top = 100 })).Hits;
        return [.. hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal)];
    }
}
