using System.Text;
using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Engine;

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
    public async Task Upsert_Get_Search_Delete_RoundTrip()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [R("d1", "Cordless Drill 20V", price: 99), R("f1", "White Kitchen Faucet", price: 120), R("h1", "Garden Hose", price: 25)]);

        var hits = _store.Search("shop", new CollectionQuery { Query = "kitchen faucet", Top = 2 }).Hits;
        var deleted = await _store.DeleteAsync("shop", "f1");

        Assert.Equal("f1", hits[0].Record.Id);
        Assert.Equal("Cordless Drill 20V", _store.Find("shop", "d1")!.Text("title"));
        Assert.True(deleted);
        Assert.Null(_store.Find("shop", "f1"));
        Assert.False(await _store.DeleteAsync("shop", "f1"));
        Assert.DoesNotContain(_store.Search("shop", new CollectionQuery { Query = "faucet", Method = SearchMethod.Bm25 }).Hits, h => h.Record.Id == "f1");
        Assert.Equal(2, _store.Describe("shop").Count);
    }

    [Fact]
    public async Task Upsert_SameId_ReplacesTheRecordEverywhere()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [R("x", "Garden Hose")]);
        await _store.UpsertAsync("shop", [R("x", "Cordless Drill")]);

        var bm25 = _store.Search("shop", new CollectionQuery { Query = "hose", Method = SearchMethod.Bm25 });

        Assert.Empty(bm25.Hits);
        Assert.Equal("Cordless Drill", _store.Find("shop", "x")!.Text("title"));
        Assert.Equal(1, _store.Describe("shop").Count);
    }

    [Fact]
    public async Task Reopen_ReplaysTheLog()
    {
        await _store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "brand"] });
        await _store.UpsertAsync("shop", [R("d1", "Cordless Drill", brand: "Acme"), R("h1", "Garden Hose")]);
        await _store.DeleteAsync("shop", "h1");

        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(["title", "brand"], _store.Describe("shop").Settings.Fields);
        Assert.Equal("Acme", _store.Find("shop", "d1")!.Text("brand"));
        Assert.Null(_store.Find("shop", "h1"));
        Assert.Equal("d1", _store.Search("shop", new CollectionQuery { Query = "acme drill" }).Hits[0].Record.Id);
    }

    [Fact]
    public async Task Reopen_DropsATornTail_AndKeepsEverythingBefore()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [R("a", "Cordless Drill")]);
        await _store.UpsertAsync("shop", [R("b", "Garden Hose")]);
        await _store.DisposeAsync();
        var log = Path.Combine(_data, "collections", "shop", "wal.log");
        var intact = new FileInfo(log).Length;
        File.AppendAllText(log, "\u0010\0\0\0garbage that was never acknowledged");

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.NotNull(_store.Find("shop", "a"));
        Assert.NotNull(_store.Find("shop", "b"));
        Assert.Equal(intact, new FileInfo(log).Length);
        await _store.UpsertAsync("shop", [R("c", "Hammer")]);
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);
        Assert.NotNull(_store.Find("shop", "c"));
    }

    [Fact]
    public async Task Reopen_WithACorruptedEntry_StopsThere()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [R("a", "Cordless Drill")]);
        var log = Path.Combine(_data, "collections", "shop", "wal.log");
        var first = new FileInfo(log).Length;
        await _store.UpsertAsync("shop", [R("b", "Garden Hose")]);
        await _store.DisposeAsync();
        var bytes = File.ReadAllBytes(log);
        bytes[^3] ^= 0xFF; // flip a byte of the second entry's payload: its checksum fails
        File.WriteAllBytes(log, bytes);

        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.NotNull(_store.Find("shop", "a"));
        Assert.Null(_store.Find("shop", "b"));
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
            await _store.UpsertAsync("shop", [R($"p{i}", $"Product number {i} drill")]);
        }

        await _store.DeleteAsync("shop", "p7");
        var folder = Path.Combine(_data, "collections", "shop");
        Assert.True(File.Exists(Path.Combine(folder, "snapshot.jsonl")));
        Assert.True(new FileInfo(Path.Combine(folder, "wal.log")).Length < 2000 + 1000);

        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(39, _store.Describe("shop").Count);
        Assert.Null(_store.Find("shop", "p7"));
        Assert.Equal("Product number 39 drill", _store.Find("shop", "p39")!.Text("title"));
    }

    [Fact]
    public async Task ConcurrentWriters_AllLand()
    {
        await _store.CreateAsync("shop", new CollectionSettings());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await _store.UpsertAsync("shop", [R($"w{w}-{i}", $"writer {w} item {i}")]);
            }
        })));
        await _store.DisposeAsync();
        _store = EmbeddedCollectionStore.Open(_data, _models);

        Assert.Equal(200, _store.Describe("shop").Count);
    }

    [Fact]
    public async Task Search_FiltersAndMinScore()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [
            R("d1", "Cordless Drill", price: 99, category: "tools"),
            R("d2", "Corded Drill", price: 49, category: "tools"),
            R("d3", "Drill Bit Set", price: 15, category: "accessories"),
        ]);

        var cheapTools = _store.Search("shop", new CollectionQuery
        {
            Query = "drill",
            Method = SearchMethod.Bm25,
            Filters = [new FieldFilter { Field = "category", EqualTo = "tools" }, new FieldFilter { Field = "price", Max = 60 }],
        });
        var strict = _store.Search("shop", new CollectionQuery { Query = "cordless drill", Method = SearchMethod.Dense, MinScore = 0.99 });

        Assert.Equal(["d2"], cheapTools.Hits.Select(h => h.Record.Id));
        Assert.All(strict.Hits, h => Assert.True(h.Score >= 0.99));
        Assert.Equal(["d1"], strict.Hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Drop_WhileSearching_SearchesSucceedOrSayNotFound()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", Enumerable.Range(0, 200).Select(i => R($"p{i}", $"cordless drill model {i}")).ToList());
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var searchers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    _store.Search("shop", new CollectionQuery { Query = "drill", Method = SearchMethod.Bm25 });
                    _store.List();
                }
                catch (CollectionNotFoundException)
                {
                    // dropped: the expected answer
                }
                catch (Exception e)
                {
                    unexpected.Add(e);
                }
            }
        })).ToList();

        await Task.Delay(50);
        await _store.DropAsync("shop");
        await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(searchers);

        Assert.Empty(unexpected);
    }

    [Fact]
    public void Open_ADataDirectoryAlreadyOpen_IsRefused()
    {
        var error = Assert.Throws<InvalidRequestException>(() => EmbeddedCollectionStore.Open(_data, _models));

        Assert.Contains("is in use by another process", error.Message);
    }

    [Fact]
    public async Task Similar_ExcludesTheRecordItself()
    {
        await _store.CreateAsync("shop", new CollectionSettings());
        await _store.UpsertAsync("shop", [R("d1", "Cordless Drill"), R("d2", "Cordless Drill Kit"), R("h1", "Garden Hose")]);

        var similar = _store.Similar("shop", "d1", 5)!;

        Assert.Equal("d2", similar[0].Record.Id);
        Assert.DoesNotContain(similar, h => h.Record.Id == "d1");
        Assert.Null(_store.Similar("shop", "nope", 5));
    }

    [Fact]
    public async Task PrivateFields_AreIndexedButNeverReturned()
    {
        await _store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "supplier"], PrivateFields = ["supplier", "cost"] });
        await _store.UpsertAsync("shop", [Record.FromJson(Json("""{"id":"d1","title":"Drill","supplier":"Zeta Corp","cost":12.5}"""), "record 1")]);

        var hit = _store.Search("shop", new CollectionQuery { Query = "zeta", Method = SearchMethod.Bm25 }).Hits.Single();

        Assert.Equal("d1", hit.Record.Id);
        Assert.Equal(["title"], hit.Record.Fields.Keys);
        Assert.Equal(["title"], _store.Find("shop", "d1")!.Fields.Keys);
    }

    [Fact]
    public async Task Create_ChecksNameSettingsAndConflicts()
    {
        Assert.True(await _store.CreateAsync("a", new CollectionSettings()));
        Assert.False(await _store.CreateAsync("a", new CollectionSettings()));
        await Assert.ThrowsAsync<CollectionConflictException>(() => _store.CreateAsync("a", new CollectionSettings { Fields = ["name"] }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => _store.CreateAsync("../x", new CollectionSettings()));
        await Assert.ThrowsAsync<InvalidRequestException>(() => _store.CreateAsync("b", new CollectionSettings { Model = "missing" }));
        Assert.Throws<CollectionNotFoundException>(() => _store.Find("b", "x"));
        Assert.Equal(["a"], Directory.EnumerateDirectories(Path.Combine(_data, "collections")).Select(Path.GetFileName));
        Assert.True(await _store.DropAsync("a"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data, "collections")));
    }

    [Fact]
    public async Task Upsert_RecordWithoutText_IsRejectedAndNothingIsWritten()
    {
        await _store.CreateAsync("shop", new CollectionSettings());

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => _store.UpsertAsync("shop", [R("a", "Drill"), R("b", " ")]));

        Assert.Contains("record 'b' has no text in the collection's fields (title)", error.Message);
        Assert.Null(_store.Find("shop", "a"));
    }

    [Theory]
    [InlineData("[1]", "record 1: expected a JSON object, got array")]
    [InlineData("{\"title\":\"x\"}", "record 1: 'id' is missing or empty")]
    [InlineData("{\"id\":\"a\",\"tags\":[\"x\"]}", "record 1: field 'tags' must be a string, number, boolean or null")]
    public void FromJson_BadRecord_NamesTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidRequestException>(() => Record.FromJson(Json(json), "record 1"));

        Assert.Equal(expected, error.Message);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(Encoding.UTF8.GetBytes(text)).RootElement.Clone();

    private static Record R(string id, string title, double? price = null, string? brand = null, string? category = null)
    {
        var fields = new Dictionary<string, object> { ["id"] = id, ["title"] = title };
        if (price is { } p)
        {
            fields["price"] = p;
        }

        if (brand is not null)
        {
            fields["brand"] = brand;
        }

        if (category is not null)
        {
            fields["category"] = category;
        }

        return Record.FromJson(Json(JsonSerializer.Serialize(fields)), id);
    }
}
