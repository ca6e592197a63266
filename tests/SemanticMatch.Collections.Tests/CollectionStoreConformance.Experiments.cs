using SemanticMatch.Collections.Experiments;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Tests;

/// <summary>Experiments, on every store: durable, checked, one a collection, gone with the collection; the interleaved search.</summary>
public abstract partial class CollectionStoreConformance
{
    private ICollectionExperiments Experiments => (ICollectionExperiments)Store;

    [Fact]
    public async Task AnExperiment_IsDurable_Checked_ReplacedAndStopped_AndGoesWithItsCollection()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.CreateAsync("shop-v2", new CollectionSettings());
        var started = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

        await Experiments.StartExperimentAsync(new Experiment("shop", "shop-v2", 0.25, started));
        await ReopenAsync();
        var kept = await Experiments.ExperimentAsync("shop");
        await Experiments.StartExperimentAsync(new Experiment("shop", "shop-v2", 0.5, started.AddHours(1)));
        var replaced = await Experiments.ExperimentAsync("shop");
        var missing = await Assert.ThrowsAsync<CollectionNotFoundException>(() => Experiments.StartExperimentAsync(new Experiment("shop", "nope", 0.5, started)));
        var itself = await Assert.ThrowsAsync<InvalidRequestException>(() => Experiments.StartExperimentAsync(new Experiment("shop", "shop", 0.5, started)));
        var none = await Assert.ThrowsAsync<InvalidRequestException>(() => Experiments.StartExperimentAsync(new Experiment("shop", "shop-v2", 0, started)));

        Assert.Equal(new Experiment("shop", "shop-v2", 0.25, started), kept);
        Assert.Equal(0.5, replaced!.Share);
        Assert.Contains("'nope'", missing.Message);
        Assert.StartsWith("candidate:", itself.Message, StringComparison.Ordinal);
        Assert.StartsWith("share:", none.Message, StringComparison.Ordinal);
        Assert.Null(await Experiments.ExperimentAsync("shop-v2"));

        Assert.True(await Experiments.StopExperimentAsync("shop"));
        Assert.False(await Experiments.StopExperimentAsync("shop"));
        await Experiments.StartExperimentAsync(new Experiment("shop", "shop-v2", 1, started));
        await Store.DropAsync("shop");
        await Store.CreateAsync("shop", new CollectionSettings());
        Assert.Null(await Experiments.ExperimentAsync("shop"));
    }

    [Fact]
    public async Task AnInterleavedSearch_ShowsBothCollectionsPicks_AndAnUntakenOneIsTheCollectionsOwn()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.CreateAsync("shop-v2", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("a1", "cordless drill"), Records.R("a2", "drill bits")]);
        await Store.UpsertAsync("shop-v2", [Records.R("b1", "hammer drill"), Records.R("a1", "cordless drill")]);
        var query = new CollectionQuery { Query = "drill", Method = Search.SearchMethod.Bm25, Top = 10 };
        var experiment = new Experiment("shop", "shop-v2", 1, DateTimeOffset.UtcNow);

        var (result, interleaving) = await InterleavedSearch.SearchAsync(Store, "shop", query, "q1", experiment);
        var (own, none) = await InterleavedSearch.SearchAsync(Store, "shop", query, "q1", null);
        var candidateOrder = (await Store.SearchAsync("shop-v2", query)).Hits.Select(h => h.Record.Id).ToList();
        var (page2, notOnPage2) = await InterleavedSearch.SearchAsync(Store, "shop", query with { Offset = 1 }, "q1", experiment);
        await Store.DropAsync("shop-v2");
        var (_, candidateGone) = await InterleavedSearch.SearchAsync(Store, "shop", query, "q1", experiment);

        Assert.Equal(["a1", "a2", "b1"], result.Hits.Select(h => h.Record.Id).Order());
        Assert.Equal("shop-v2", interleaving!.Candidate);
        Assert.Equal(3, interleaving.Teams.Length);
        var picksB = result.Hits.Select(h => h.Record.Id).Where((_, i) => interleaving.Teams[i] == 'B').ToList();
        Assert.NotEmpty(picksB);
        Assert.Equal(candidateOrder.Where(picksB.Contains), picksB);
        Assert.Null(none);
        Assert.Equal(2, own.Hits.Count);
        Assert.Null(notOnPage2);
        Assert.Single(page2.Hits);
        Assert.Null(candidateGone);
    }
}
