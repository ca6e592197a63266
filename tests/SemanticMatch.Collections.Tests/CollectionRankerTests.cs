using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Search;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// A collection with a learned ranker, in every store (a fake ranker here; the real one is tested in Ranking.Tests and
/// through the CLI); subclassed once per store.
/// </summary>
public abstract class CollectionRankerConformance : IAsyncLifetime
{
    private readonly RecordingRanker _recording = new(i => i.Keyword, depth: 30); // orders by the keyword score
    private ICollectionStore _store = null!;

    /// <summary>Opens the store on fresh, empty storage, loading rankers with <paramref name="rankers"/>.</summary>
    protected abstract Task<ICollectionStore> OpenEmptyAsync(Func<string, IResultRanker> rankers);

    /// <summary>Removes the storage.</summary>
    protected abstract ValueTask DeleteStorageAsync();

    public async ValueTask InitializeAsync()
    {
        _store = await OpenEmptyAsync(Load);
        await _store.CreateAsync("shop", new CollectionSettings { Ranker = "short-titles" });
        await _store.UpsertAsync("shop",
        [
            Records.R("d1", "Cordless Drill 18 V"), Records.R("d2", "Cordless Drill 12 V kit"), Records.R("d3", "Drill bit set"),
            Records.R("h1", "Garden Hose"),
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await DeleteStorageAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Ranker_ReadsTheStoresOwnKeywordAndDenseScore_OfEveryCandidate()
    {
        // The 120 saws share one query word in a short title, so they fill the dense list a hybrid search reads (its top
        // 100); the drills share the rarer word in a long title, so they rank high by keyword but fall outside that list.
        // The fake encoder hashes "bof", "gug" and "fob" as it hashes "cordless", and "fez", "baz" and "nan" as "drill":
        // those titles are found by dense retrieval only.
        await _store.CreateAsync("tools", new CollectionSettings { Ranker = "recording" });
        var records = Enumerable.Range(0, 120).Select(i => Records.R($"s{i:D3}", $"cordless saw {i}"))
            .Concat(Enumerable.Range(0, 12).Select(i => Records.R($"d{i:D2}", $"drill {i} with case charger battery clip light belt hook bag manual")))
            .Concat([Records.R("x1", "bof fez"), Records.R("x2", "gug baz"), Records.R("x3", "fob nan")])
            .ToList();
        await _store.UpsertAsync("tools", records);

        var hits = (await _store.SearchAsync("tools", new CollectionQuery { Query = "cordless drill", Top = 30 })).Hits;
        var keyword = await ScoresAsync(SearchMethod.Bm25);
        var dense = await ScoresAsync(SearchMethod.Dense);
        var candidates = _recording.Seen.Single();

        Assert.Equal(30, candidates.Count);
        Assert.Equal(hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal), candidates.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Contains(candidates, c => !keyword.ContainsKey(c.Id)); // found by dense retrieval only: no word matches
        Assert.Contains(candidates, c => !TopDense(dense).Contains(c.Id)); // found by keyword only
        Assert.All(candidates, c =>
        {
            Assert.Equal(keyword.GetValueOrDefault(c.Id), c.Keyword, 4);
            Assert.Equal(dense[c.Id], c.Dense, 4);
        });

        async Task<Dictionary<string, float>> ScoresAsync(SearchMethod method) =>
            (await _store.SearchAsync("tools", new CollectionQuery { Query = "cordless drill", Method = method, Top = 1000 })).Hits
                .ToDictionary(h => h.Record.Id, h => h.Score, StringComparer.Ordinal);
    }

    [Fact]
    public async Task HybridSearch_IsOrderedByTheRanker_WithProbabilities()
    {
        var hits = (await _store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Top = 4 })).Hits;

        // The fake ranker prefers shorter titles, relevant or not; probability = its score.
        Assert.Equal(["h1", "d3", "d1", "d2"], hits.Select(h => h.Record.Id));
        Assert.All(hits, h => Assert.Equal(h.Score, h.Probability));
    }

    [Fact]
    public async Task MinProbability_DropsUnlikelyHits()
    {
        var all = (await _store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Top = 4 })).Hits;
        var likely = (await _store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Top = 4, MinProbability = 0.4 })).Hits;

        Assert.Equal(all.Where(h => h.Probability >= 0.4f).Select(h => h.Record.Id), likely.Select(h => h.Record.Id));
        Assert.InRange(likely.Count, 1, all.Count - 1);
    }

    [Fact]
    public async Task OtherMethods_AreNotRanked_AndCannotAskForAProbability()
    {
        var bm25 = (await _store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = SearchMethod.Bm25 })).Hits;
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _store.SearchAsync("shop", new CollectionQuery { Query = "drill", Method = SearchMethod.Bm25, MinProbability = 0.5 }));

        Assert.All(bm25, h => Assert.Null(h.Probability));
        Assert.Contains("hybrid searches only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_AreChecked()
    {
        await _store.CreateAsync("plain", new CollectionSettings());
        var noRanker = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _store.SearchAsync("plain", new CollectionQuery { Query = "drill", MinProbability = 0.5 }));
        var wrongReranker = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _store.CreateAsync("x", new CollectionSettings { Ranker = "needs-ce" }));
        var outOfRange = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            _store.SearchAsync("shop", new CollectionQuery { Query = "drill", MinProbability = 1.5 }));

        Assert.Contains("has no ranker", noRanker.Message, StringComparison.Ordinal);
        Assert.Contains("set \"reranker\": \"ce-model\"", wrongReranker.Message, StringComparison.Ordinal);
        Assert.Contains("must be in [0, 1]", outOfRange.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await _store.ListAsync(), c => c.Name == "x");
    }

    // The dense list a hybrid search reads (the fusion depth, 100), by score then id as the stores order it.
    private static HashSet<string> TopDense(Dictionary<string, float> dense) =>
        dense.OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal).Take(100).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);

    private IResultRanker Load(string location) => location switch
    {
        "recording" => _recording,
        _ => new ShortTitlesFirst(location == "needs-ce" ? "ce-model" : null),
    };

    private sealed class ShortTitlesFirst(string? crossEncoder) : IResultRanker
    {
        public string Identity => "short-titles";

        public string? CrossEncoder => crossEncoder;

        public int Depth => 10;

        public IReadOnlyList<RankerScore> Score(QuerySignals query, IReadOnlyList<CandidateSignals> items) =>
            items.Select(i => 1f / (1 + (i.Text.Length / 10f))).Select(s => new RankerScore(s, 1 + 2 * s, s)).ToList();
    }
}

public sealed class EmbeddedCollectionRankerTests : CollectionRankerConformance
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-ranker-" + Guid.NewGuid().ToString("N"));

    protected override Task<ICollectionStore> OpenEmptyAsync(Func<string, IResultRanker> rankers) =>
        Task.FromResult<ICollectionStore>(EmbeddedCollectionStore.Open(_data, new FakeModels(), new CollectionOptions { Rankers = rankers }));

    protected override ValueTask DeleteStorageAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresCollectionRankerTests(PgliteFixture database) : CollectionRankerConformance, IClassFixture<PgliteFixture>
{
    protected override async Task<ICollectionStore> OpenEmptyAsync(Func<string, IResultRanker> rankers) =>
        await Postgres.PostgresCollectionStore.OpenAsync(new FakeModels(), new Postgres.PostgresStoreOptions
        {
            ConnectionString = await database.EmptyAsync(),
            Rankers = rankers,
        }, TestContext.Current.CancellationToken);

    protected override ValueTask DeleteStorageAsync() => ValueTask.CompletedTask;
}
