using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Search;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// Behaviour every <see cref="ICollectionStore"/> must have, whatever keeps the records (files of ours, a database);
/// subclassed once per store (embedded files, PostgreSQL), the way VectorIndexConformance is per vector index.
/// </summary>
public abstract partial class CollectionStoreConformance : IAsyncLifetime
{
    /// <summary>The store under test.</summary>
    protected ICollectionStore Store { get; private set; } = null!;

    /// <summary>Opens the store on fresh, empty storage.</summary>
    protected abstract Task<ICollectionStore> OpenEmptyAsync();

    /// <summary>Opens another store on the storage of the last one (after it is disposed).</summary>
    protected abstract Task<ICollectionStore> OpenAgainAsync();

    /// <summary>Removes the storage.</summary>
    protected abstract ValueTask DeleteStorageAsync();

    public async ValueTask InitializeAsync() => Store = await OpenEmptyAsync();

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await DeleteStorageAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await OpenAgainAsync();
    }

    [Fact]
    public async Task Upsert_Get_Search_Delete_RoundTrip()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("d1", "Cordless Drill 20V", price: 99), Records.R("f1", "White Kitchen Faucet", price: 120), Records.R("h1", "Garden Hose", price: 25)]);

        var hits = (await Store.SearchAsync("shop", new CollectionQuery { Query = "kitchen faucet", Top = 2 })).Hits;
        var deleted = await Store.DeleteAsync("shop", "f1");

        Assert.Equal("f1", hits[0].Record.Id);
        Assert.Equal("Cordless Drill 20V", (await Store.FindAsync("shop", "d1"))!.Text("title"));
        Assert.True(deleted);
        Assert.Null(await Store.FindAsync("shop", "f1"));
        Assert.False(await Store.DeleteAsync("shop", "f1"));
        Assert.DoesNotContain((await Store.SearchAsync("shop", new CollectionQuery { Query = "faucet", Method = SearchMethod.Bm25 })).Hits, h => h.Record.Id == "f1");
        Assert.Equal(2, (await Store.DescribeAsync("shop")).Count);
    }

    [Fact]
    public async Task Upsert_SameId_ReplacesTheRecordEverywhere()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("x", "Garden Hose")]);
        await Store.UpsertAsync("shop", [Records.R("x", "Cordless Drill")]);

        var bm25 = await Store.SearchAsync("shop", new CollectionQuery { Query = "hose", Method = SearchMethod.Bm25 });

        Assert.Empty(bm25.Hits);
        Assert.Equal("Cordless Drill", (await Store.FindAsync("shop", "x"))!.Text("title"));
        Assert.Equal(1, (await Store.DescribeAsync("shop")).Count);
    }

    [Fact]
    public async Task Search_FiltersAndMinScore()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [
            Records.R("d1", "Cordless Drill", price: 99, category: "tools"),
            Records.R("d2", "Corded Drill", price: 49, category: "tools"),
            Records.R("d3", "Drill Bit Set", price: 15, category: "accessories"),
        ]);

        var cheapTools = await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "drill",
            Method = SearchMethod.Bm25,
            Filters = [new FieldFilter { Field = "category", EqualTo = "tools" }, new FieldFilter { Field = "price", Max = 60 }],
        });
        var strict = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = SearchMethod.Dense, MinScore = 0.99 });

        Assert.Equal(["d2"], cheapTools.Hits.Select(h => h.Record.Id));
        Assert.All(strict.Hits, h => Assert.True(h.Score >= 0.99));
        Assert.Equal(["d1"], strict.Hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task Drop_WhileSearching_SearchesSucceedOrSayNotFound()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", Enumerable.Range(0, 200).Select(i => Records.R($"p{i}", $"cordless drill model {i}")).ToList());
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var searchers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Store.SearchAsync("shop", new CollectionQuery { Query = "drill", Method = SearchMethod.Bm25 });
                    await Store.ListAsync();
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
        await Store.DropAsync("shop");
        await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(searchers);

        Assert.Empty(unexpected);
    }

    [Fact]
    public async Task Similar_ExcludesTheRecordItself()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("d1", "Cordless Drill"), Records.R("d2", "Cordless Drill Kit"), Records.R("h1", "Garden Hose")]);

        var similar = (await Store.SimilarAsync("shop", "d1", 5))!;

        Assert.Equal("d2", similar[0].Record.Id);
        Assert.DoesNotContain(similar, h => h.Record.Id == "d1");
        Assert.Null(await Store.SimilarAsync("shop", "nope", 5));
    }

    [Fact]
    public async Task PrivateFields_AreIndexedButNeverReturned()
    {
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "supplier"], PrivateFields = ["supplier", "cost"] });
        await Store.UpsertAsync("shop", [Record.FromJson(Records.Json("""{"id":"d1","title":"Drill","supplier":"Zeta Corp","cost":12.5}"""), "record 1")]);

        var hit = (await Store.SearchAsync("shop", new CollectionQuery { Query = "zeta", Method = SearchMethod.Bm25 })).Hits.Single();

        Assert.Equal("d1", hit.Record.Id);
        Assert.Equal(["title"], hit.Record.Fields.Keys);
        Assert.Equal(["title"], (await Store.FindAsync("shop", "d1"))!.Fields.Keys);
    }

    [Fact]
    public async Task PrivateFields_AreNeverSpelledOut_Explained_OrFilterable()
    {
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "supplier"], PrivateFields = ["supplier", "cost"] });
        await Store.UpsertAsync("shop", [
            Record.FromJson(Records.Json("""{"id":"d1","title":"Cordless Drill","supplier":"zyxwqorp","cost":41.37}"""), "record 1"),
            Record.FromJson(Records.Json("""{"id":"d2","title":"Drill Bits","supplier":"zyxwqorp","cost":3.1}"""), "record 2")]);

        var misspelled = await Store.SearchAsync("shop", new CollectionQuery { Query = "zyxwqorq drill", SpellCorrection = true });
        var explained = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Explain = true });
        var filtered = await Assert.ThrowsAsync<InvalidRequestException>(() => Store.SearchAsync("shop",
            new CollectionQuery { Query = "drill", Filters = [new FieldFilter { Field = "cost", Min = 41 }] }));
        var byName = await Store.SearchAsync("shop", new CollectionQuery { Query = "zyxwqorp", Method = SearchMethod.Bm25 });

        Assert.Equal("zyxwqorq drill", misspelled.Searched); // the one suggestion would be the private word
        Assert.All(explained.Hits, h => Assert.DoesNotContain(h.Explanation!.Dense.ProductWords, w => w.Word.Contains("zyxwqorp", StringComparison.Ordinal)));
        Assert.Equal(["cordless", "drill"], explained.Hits.Single(h => h.Record.Id == "d1").Explanation!.Dense.ProductWords.Select(w => w.Word.TrimEnd('.').ToLowerInvariant()));
        Assert.Equal("filters[0]: 'cost' is a private field of collection 'shop'; private fields cannot be filtered on", filtered.Message);
        Assert.Equal(2, byName.Hits.Count); // indexed private fields are searched: that is what listing them in "fields" asks
    }

    [Fact]
    public async Task Upsert_RecordWithoutText_IsRejectedAndNothingIsWritten()
    {
        await Store.CreateAsync("shop", new CollectionSettings());

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Store.UpsertAsync("shop", [Records.R("a", "Drill"), Records.R("b", " ")]));

        Assert.Contains("record 'b' has no text in the collection's fields (title)", error.Message);
        Assert.Null(await Store.FindAsync("shop", "a"));
    }

    [Fact]
    public async Task Upsert_TheLargestBatchTheServiceSends_LandsWhole_AndARepeatedIdRefusesTheBatch()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        var batch = Enumerable.Range(0, 1000).Select(i => Records.R($"p{i:D4}", $"cordless drill model {i}", price: i)).ToList();

        Assert.Equal(1000, await Store.UpsertAsync("shop", batch));
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            Store.UpsertAsync("shop", [Records.R("n1", "garden hose"), Records.R("n2", "hose reel"), Records.R("n1", "hose nozzle")]));

        Assert.Contains("record 'n1' appears 2 times in one batch", error.Message);
        Assert.Null(await Store.FindAsync("shop", "n2"));
        Assert.Equal(1000, (await Store.DescribeAsync("shop")).Count);
        Assert.Equal("p0999", (await Store.FindAsync("shop", "p0999"))!.Id);
    }

    [Fact]
    public async Task ConcurrentWriters_AllLand()
    {
        await Store.CreateAsync("shop", new CollectionSettings());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await Store.UpsertAsync("shop", [Records.R($"w{w}-{i}", $"writer {w} item {i}")]);
            }
        })));
        await ReopenAsync();

        Assert.Equal(200, (await Store.DescribeAsync("shop")).Count);
    }

    [Theory]
    [InlineData(SearchMethod.Bm25)]
    [InlineData(SearchMethod.Dense)]
    [InlineData(SearchMethod.Hybrid)]
    public async Task Search_EachMethod_FindsTheMatchingRecordFirst(SearchMethod method)
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("d1", "Cordless Drill 20V"), Records.R("f1", "White Kitchen Faucet"), Records.R("h1", "Garden Hose 50 ft")]);

        var result = await Store.SearchAsync("shop", new CollectionQuery { Query = "garden hose", Method = method, Top = 3 });

        Assert.Equal("h1", result.Hits[0].Record.Id);
        Assert.Equal(Enumerable.Range(1, result.Hits.Count), result.Hits.Select(h => h.Rank));
        Assert.Equal(result.Hits.OrderByDescending(h => h.Score).Select(h => h.Record.Id), result.Hits.Select(h => h.Record.Id));
    }

    [Theory]
    [InlineData(SearchMethod.Bm25)]
    [InlineData(SearchMethod.Dense)]
    [InlineData(SearchMethod.Hybrid)]
    public async Task Search_WithAFilter_ReturnsTheBestAcceptedRecordsEvenWhenTheyRankLow(SearchMethod method)
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        // 300 drills; the 5 in category "rare" have the weakest titles for the query, far below any fusion depth.
        await Store.UpsertAsync("shop", Enumerable.Range(0, 300).Select(i => i < 5
            ? Records.R($"r{i}", $"drill accessory pouch {i}", category: "rare", price: i)
            : Records.R($"p{i}", $"cordless drill driver kit {i}", category: "common", price: i)).ToList());

        var hits = (await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "cordless drill driver",
            Method = method,
            Top = 10,
            Filters = [new FieldFilter { Field = "category", In = ["rare", "none"] }, new FieldFilter { Field = "price", Min = 1, Max = 3 }],
        })).Hits;

        Assert.Equal(["r1", "r2", "r3"], hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Search_CorrectsMisspelledWords_FromTheCollectionsOwnWords()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("d1", "Cordless Drill 20V"), Records.R("h1", "Garden Hose"), Records.R("g1", "Work Gloves")]);

        var corrected = await Store.SearchAsync("shop", new CollectionQuery { Query = "Cordles dril hoes", Method = SearchMethod.Bm25 });
        var known = await Store.SearchAsync("shop", new CollectionQuery { Query = "garden hose", Method = SearchMethod.Bm25 });
        var off = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordles", Method = SearchMethod.Bm25, SpellCorrection = false });
        var far = await Store.SearchAsync("shop", new CollectionQuery { Query = "gardxxn", Method = SearchMethod.Bm25 });

        Assert.Equal("cordless drill hose", corrected.Searched); // a deletion, an insertion and a transposition
        Assert.True(corrected.Corrected);
        Assert.Equal("d1", corrected.Hits[0].Record.Id);
        Assert.False(known.Corrected);
        Assert.False(off.Corrected);
        Assert.Empty(off.Hits);
        Assert.Equal("gardxxn", far.Searched); // 2 edits, but a 7-letter word may have only 1
    }

    [Fact]
    public async Task Search_EqualScores_AreOrderedById()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("c", "Garden Hose"), Records.R("a", "Garden Hose"), Records.R("b", "Garden Hose")]);

        foreach (var method in new[] { SearchMethod.Bm25, SearchMethod.Dense, SearchMethod.Hybrid })
        {
            var hits = (await Store.SearchAsync("shop", new CollectionQuery { Query = "garden hose", Method = method })).Hits;

            Assert.Equal(["a", "b", "c"], hits.Select(h => h.Record.Id));
        }
    }

    [Fact]
    public async Task Records_UnicodeAndLargeFields_RoundTripAndAreSearchable()
    {
        var description = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, ", 4000)); // ~112 KB
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "description"] });
        await Store.UpsertAsync("shop", [
            Record.FromJson(Records.Json($$"""{"id":"é-1 ✓","title":"Akku-Bohrschrauber für Heimwerker 🔧","description":"{{description}}"}"""), "record 1"),
            Record.FromJson(Records.Json("""{"id":"zh-1","title":"无线电钻 家用","description":"מקדחה אלחוטית"}"""), "record 2"),
        ]);
        await ReopenAsync();

        var german = (await Store.FindAsync("shop", "é-1 ✓"))!;
        Assert.Equal("Akku-Bohrschrauber für Heimwerker 🔧", german.Text("title"));
        Assert.Equal(description, german.Text("description"));
        Assert.Equal("מקדחה אלחוטית", (await Store.FindAsync("shop", "zh-1"))!.Text("description"));
        Assert.Equal("é-1 ✓", (await Store.SearchAsync("shop", new CollectionQuery { Query = "bohrschrauber", Method = SearchMethod.Bm25 })).Hits.Single().Record.Id);
    }

    [Fact]
    public async Task Create_ChecksNamesSettingsAndConflicts()
    {
        Assert.True(await Store.CreateAsync("a", new CollectionSettings()));
        Assert.False(await Store.CreateAsync("a", new CollectionSettings()));
        await Assert.ThrowsAsync<CollectionConflictException>(() => Store.CreateAsync("a", new CollectionSettings { Fields = ["name"] }));
        await Assert.ThrowsAsync<InvalidRequestException>(() => Store.CreateAsync("../x", new CollectionSettings()));
        await Assert.ThrowsAsync<InvalidRequestException>(() => Store.CreateAsync("b", new CollectionSettings { Model = "missing" }));
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => Store.FindAsync("b", "x"));
        Assert.Equal(["a"], (await Store.ListAsync()).Select(c => c.Name));
        Assert.True(await Store.DropAsync("a"));
        Assert.False(await Store.DropAsync("a"));
        Assert.Empty(await Store.ListAsync());
    }
}

public sealed class EmbeddedCollectionStoreConformance : CollectionStoreConformance
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-conformance-" + Guid.NewGuid().ToString("N"));
    private readonly FakeModels _models = new();

    protected override Task<ICollectionStore> OpenEmptyAsync() => OpenAgainAsync();

    protected override Task<ICollectionStore> OpenAgainAsync() => Task.FromResult<ICollectionStore>(EmbeddedCollectionStore.Open(_data, _models));

    protected override ValueTask DeleteStorageAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
