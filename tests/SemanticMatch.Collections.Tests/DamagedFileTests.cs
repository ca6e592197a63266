using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// Damaged files are named, never silently cut: a torn tail is cut, damage followed by intact frames refuses that
/// collection (the others serve), garbled settings or snapshots are named, a folder without settings is never replaced,
/// and <see cref="CollectionRecovery.Salvage"/> keeps a copy and says what was lost.
/// </summary>
public sealed class DamagedFileTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-damaged-" + Guid.NewGuid().ToString("N"));
    private readonly FakeModels _models = new();
    private EmbeddedCollectionStore _store = null!;

    private string Folder => Path.Combine(_data, "collections", "shop");

    private string Log => Path.Combine(Folder, "wal.log");

    public async ValueTask InitializeAsync()
    {
        _store = EmbeddedCollectionStore.Open(_data, _models);
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.CreateAsync("other", new CollectionSettings());
        await _store.UpsertAsync("other", [Records.R("o1", "Garden Rake")]);
        for (var batch = 0; batch < 10; batch++)
        {
            await _store.UpsertAsync("shop", [.. Enumerable.Range(0, 3).Select(i => Records.R($"p{batch * 3 + i}", $"Product {batch * 3 + i} drill"))]);
        }

        await _store.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.1)]
    [InlineData(0.85)]
    public async Task AFlippedByteBeforeIntactFrames_RefusesThatCollection_NamesTheDamage_AndCutsNothing(double at)
    {
        var bytes = File.ReadAllBytes(Log);
        var offset = (int)(bytes.Length * at);
        bytes[offset] ^= 0x5A;
        File.WriteAllBytes(Log, bytes);

        _store = EmbeddedCollectionStore.Open(_data, _models);

        var reason = Assert.Contains("shop", _store.Unavailable);
        Assert.Contains("wal.log is damaged at byte", reason);
        Assert.Matches(@"\d+ acknowledged entries in \d+ group commits follow it", reason);
        Assert.Equal(bytes, File.ReadAllBytes(Log));
        var refused = await Assert.ThrowsAsync<CollectionUnavailableException>(() => _store.SearchAsync("shop", new CollectionQuery { Query = "drill" }));
        Assert.Contains("semmatch recover --collection shop", refused.Message);
        Assert.Contains("wal.log is damaged at byte", refused.Message);
        Assert.DoesNotContain(_data, refused.Message); // clients are not told where the server keeps its files
        await Assert.ThrowsAsync<CollectionUnavailableException>(() => _store.UpsertAsync("shop", [Records.R("x", "Hammer")]));
        await Assert.ThrowsAsync<CollectionConflictException>(() => _store.CreateAsync("shop", new CollectionSettings()));
        Assert.Equal(bytes, File.ReadAllBytes(Log));
        Assert.Equal(1, (await _store.DescribeAsync("other")).Count);
    }

    [Fact]
    public async Task Salvage_KeepsACopy_KeepsEveryIntactCommit_AndSaysWhatWasLost()
    {
        var bytes = File.ReadAllBytes(Log);
        var damagedFrame = LogScan.Read(Log).Frames[4];
        bytes[(int)damagedFrame.Offset + 20] ^= 0xFF;
        File.WriteAllBytes(Log, bytes);

        var salvaged = CollectionRecovery.Salvage(_data, "shop");
        var healthy = CollectionRecovery.Salvage(_data, "other");
        _store = EmbeddedCollectionStore.Open(_data, _models);
        var whileServed = Assert.Throws<InvalidRequestException>(() => CollectionRecovery.Salvage(_data, "shop"));

        var log = Assert.Single(salvaged);
        Assert.Equal(bytes, File.ReadAllBytes(log.Copy));
        Assert.Equal(9, log.Kept); // entries: one upsert of three records each
        Assert.Contains("at most 1 group commits, sequences 5..5", log.Lost);
        Assert.Empty(_store.Unavailable);
        Assert.Equal(27, (await _store.DescribeAsync("shop")).Count);
        Assert.Null(await _store.FindAsync("shop", "p12")); // the damaged commit held p12..p14
        Assert.NotNull(await _store.FindAsync("shop", "p29"));
        Assert.Empty(healthy);
        Assert.Contains("is in use by another process", whileServed.Message);
    }

    [Fact]
    public async Task ATornTail_IsCut_AndTheCollectionOpens()
    {
        var intact = new FileInfo(Log).Length;
        var bytes = File.ReadAllBytes(Log);
        File.WriteAllBytes(Log, [.. bytes, .. bytes.AsSpan(0, 40).ToArray()]); // the start of a frame that never finished

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Empty(_store.Unavailable);
        Assert.Equal(intact, new FileInfo(Log).Length);
        Assert.Equal(30, (await _store.DescribeAsync("shop")).Count);
    }

    [Fact]
    public async Task ALogWrittenByAnOlderBuild_OneEntryAFrame_IsReadWhole()
    {
        var sequence = 0L;
        var old = LogScan.Read(Log).Frames.SelectMany(f => f.Entries).SelectMany(entry => SingleEntryFrame(++sequence, entry)).ToArray();
        File.WriteAllBytes(Log, old);

        _store = EmbeddedCollectionStore.Open(_data, _models);
        await _store.UpsertAsync("shop", [Records.R("new", "Claw Hammer")]);
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(10, sequence);
        Assert.Empty(_store.Unavailable);
        Assert.Equal(31, (await _store.DescribeAsync("shop")).Count);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], LogScan.Read(Log).Frames.Select(f => f.Sequence));
    }

    // [length u32][CRC-32 u32][sequence i64][entry], the length without the batch flag: how builds before group-commit frames wrote each entry.
    private static byte[] SingleEntryFrame(long sequence, byte[] entry)
    {
        var frame = new byte[16 + entry.Length];
        entry.CopyTo(frame.AsSpan(16));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)entry.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(8), sequence);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(frame.AsSpan(8, 8));
        crc.Append(entry);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), crc.GetCurrentHashAsUInt32());
        return frame;
    }

    [Fact]
    public async Task AFolderWithoutSettings_IsReported_AndAPutOfItsNameDeletesNothing()
    {
        File.Delete(Path.Combine(Folder, "collection.json"));
        var log = File.ReadAllBytes(Log);

        _store = EmbeddedCollectionStore.Open(_data, _models);
        var conflict = await Assert.ThrowsAsync<CollectionConflictException>(() => _store.CreateAsync("shop", new CollectionSettings()));

        Assert.Contains("has no collection.json", Assert.Contains("shop", _store.Unavailable));
        Assert.Contains("cannot be opened", conflict.Message);
        Assert.Equal(log, File.ReadAllBytes(Log));
    }

    [Theory]
    [InlineData("collection.json", "{\"model\": \"minilm\", \"fields\": [")]
    [InlineData("collection.json", "\u0000\u0001garbage")]
    [InlineData("snapshot.jsonl", "{\"format\":\"semanticmatch-snapshot/1\",\"sequence\":3,\"count\":2}\n{\"id\":\"a\",\"fields\":{},\"vector\":\"AAAA\"}\nnot json\n")]
    [InlineData("snapshot.jsonl", "garbage")]
    public async Task AGarbledFile_IsNamed_AndTheOtherCollectionsServe(string file, string content)
    {
        File.WriteAllText(Path.Combine(Folder, file), content);

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Contains(Path.Combine(Folder, file), Assert.Contains("shop", _store.Unavailable));
        Assert.NotNull(await _store.FindAsync("other", "o1"));
    }

    [Fact]
    public void Salvage_WithGarbledSettings_ChangesNothing_AndSaysWhatToDo()
    {
        File.WriteAllText(Path.Combine(Folder, "collection.json"), "{");
        var log = File.ReadAllBytes(Log);

        var error = Assert.Throws<InvalidRequestException>(() => CollectionRecovery.Salvage(_data, "shop"));

        Assert.Contains("collection.json cannot be read", error.Message);
        Assert.Equal(log, File.ReadAllBytes(Log));
        _store = EmbeddedCollectionStore.Open(_data, _models);
    }
}
