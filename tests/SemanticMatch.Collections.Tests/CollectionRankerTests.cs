using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>A collection with a learned ranker (a fake one here; the real one is tested in Ranking.Tests and through the CLI).</summary>
public sealed class CollectionRankerTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "semmatch-ranker-" + Guid.NewGuid().ToString("N"));
    private readonly FakeModels _models = new();
    private EmbeddedCollectionStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = EmbeddedCollectionStore.Open(_data, _models, new CollectionOptions { Rankers = Load });
        await _store.CreateAsync("shop", new CollectionSettings { Ranker = "cheapest-first" });
        await _store.UpsertAsync("shop",
        [
            Records.R("d1", "Cordless Drill 18 V"), Records.R("d2", "Cordless Drill 12 V kit"), Records.R("d3", "Drill bit set"),
            Records.R("h1", "Garden Hose"),
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
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
        Assert.False(Directory.Exists(Path.Combine(_data, "x")));
    }

    private static ShortTitlesFirst Load(string location) => new ShortTitlesFirst(location == "needs-ce" ? "ce-model" : null);

    private sealed class ShortTitlesFirst(string? crossEncoder) : IResultRanker
    {
        public string Identity => "short-titles";

        public string? CrossEncoder => crossEncoder;

        public int Depth => 10;

        public IReadOnlyList<RankerScore> Score(QuerySignals query, IReadOnlyList<CandidateSignals> items) =>
            items.Select(i => 1f / (1 + (i.Text.Length / 10f))).Select(s => new RankerScore(s, 1 + 2 * s, s)).ToList();
    }
}
