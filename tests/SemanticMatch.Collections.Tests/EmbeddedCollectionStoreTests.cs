using System.Text;
using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

public sealed class EmbeddedCollectionStoreTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeModels _models = new();
    private EmbeddedCollectionStore _store = null!;

    public ValueTask InitializeAsync()
    {
        _store = EmbeddedCollectionStore.Open(_data, _models);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ChineseCollection_SegmentsWords_AcrossAReopen()
    {
        await _store.CreateAsync("zh", new CollectionSettings { Language = Core.Text.TextLanguage.Zh });
        await _store.UpsertAsync("zh", [Records.R("kettle", "不锈钢 电热水壶 家用"), Records.R("rice", "智能 电饭煲 家用")]);
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        var hits = (await _store.SearchAsync("zh", new CollectionQuery { Query = "电热水壶", Method = SearchMethod.Bm25 })).Hits;

        Assert.Equal(Core.Text.TextLanguage.Zh, (await _store.DescribeAsync("zh")).Settings.Language);
        Assert.Equal(["kettle"], hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Reopen_ReplaysTheLog()
    {
        await _store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "brand"] });
        await _store.UpsertAsync("shop", [Records.R("d1", "Cordless Drill", brand: "Acme"), Records.R("h1", "Garden Hose")]);
        await _store.DeleteAsync("shop", "h1");

        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(["title", "brand"], (await _store.DescribeAsync("shop")).Settings.Fields);
        Assert.Equal("Acme", (await _store.FindAsync("shop", "d1"))!.Text("brand"));
        Assert.Null(await _store.FindAsync("shop", "h1"));
        Assert.Equal("d1", (await _store.SearchAsync("shop", new CollectionQuery { Query = "acme drill" })).Hits[0].Record.Id);
    }

    [Fact]
    public async Task Reopen_DropsATornTail_AndKeepsEverythingBefore()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [Records.R("a", "Cordless Drill")]);
        await _store.UpsertAsync("shop", [Records.R("b", "Garden Hose")]);
        await _store.DisposeAsync();
        var log = Path.Combine(_data, "collections", "shop", "wal.log");
        var intact = new FileInfo(log).Length;
        File.AppendAllText(log, "\u0010\0\0\0garbage that was never acknowledged");

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.NotNull(await _store.FindAsync("shop", "a"));
        Assert.NotNull(await _store.FindAsync("shop", "b"));
        Assert.Equal(intact, new FileInfo(log).Length);
        await _store.UpsertAsync("shop", [Records.R("c", "Hammer")]);
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);
        Assert.NotNull(await _store.FindAsync("shop", "c"));
    }

    [Fact]
    public async Task Reopen_WithACorruptedEntry_StopsThere()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [Records.R("a", "Cordless Drill")]);
        var log = Path.Combine(_data, "collections", "shop", "wal.log");
        var first = new FileInfo(log).Length;
        await _store.UpsertAsync("shop", [Records.R("b", "Garden Hose")]);
        await _store.DisposeAsync();
        var bytes = File.ReadAllBytes(log);
        bytes[^3] ^= 0xFF; // flip a byte of the second entry's payload: its checksum fails
        File.WriteAllBytes(log, bytes);

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.NotNull(await _store.FindAsync("shop", "a"));
        Assert.Null(await _store.FindAsync("shop", "b"));
        Assert.Equal(first, new FileInfo(log).Length);
    }

    [Fact]
    public async Task Snapshot_FoldsTheLog_AndReopensWithEverything()
    {
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models, new CollectionOptions { SnapshotAfterLogBytes = 2000 });
        await _store.CreateAsync("shop", new CollectionSettings());
        for (var i = 0; i < 40; i++)
        {
            await _store.UpsertAsync("shop", [Records.R($"p{i}", $"Product number {i} drill")]);
        }

        await _store.DeleteAsync("shop", "p7");
        var folder = Path.Combine(_data, "collections", "shop");
        Assert.True(File.Exists(Path.Combine(folder, "snapshot.jsonl")));
        Assert.True(new FileInfo(Path.Combine(folder, "wal.log")).Length < 2000 + 1000);

        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(39, (await _store.DescribeAsync("shop")).Count);
        Assert.Null(await _store.FindAsync("shop", "p7"));
        Assert.Equal("Product number 39 drill", (await _store.FindAsync("shop", "p39"))!.Text("title"));
    }

    [Fact]
    public void Open_ADataDirectoryAlreadyOpen_IsRefused()
    {
        var error = Assert.Throws<InvalidRequestException>(() => EmbeddedCollectionStore.Open(_data, _models));

        Assert.Contains("is in use by another process", error.Message);
    }

    [Fact]
    public async Task Create_ChecksNameSettingsAndConflicts()
    {
        Assert.True(await _store.CreateAsync("a", new CollectionSettings()));
        Assert.False(await _store.CreateAsync("a", new CollectionSettings()));
        await Assert.ThrowsAsync<CollectionConflictException>(() => _store.CreateAsync("a", new CollectionSettings { Fields = ["name"] }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => _store.CreateAsync("../x", new CollectionSettings()));
        await Assert.ThrowsAsync<InvalidRequestException>(() => _store.CreateAsync("b", new CollectionSettings { Model = "missing" }));
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => _store.FindAsync("b", "x"));
        Assert.Equal(["a"], Directory.EnumerateDirectories(Path.Combine(_data, "collections")).Select(Path.GetFileName));
        Assert.True(await _store.DropAsync("a"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data, "collections")));
    }

    [Theory]
    [InlineData("[1]", "record 1: expected a JSON object, got array")]
    [InlineData("{\"title\":\"x\"}", "record 1: 'id' is missing or empty")]
    [InlineData("{\"id\":\"a\",\"tags\":[\"x\"]}", "record 1: field 'tags' must be a string, number, boolean or null")]
    public void FromJson_BadRecord_NamesTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidRequestException>(() => Record.FromJson(Records.Json(json), "record 1"));

        Assert.Equal(expected, error.Message);
    }
}
