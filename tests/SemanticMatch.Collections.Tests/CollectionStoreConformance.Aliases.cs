using SemanticMatch.Core;

namespace SemanticMatch.Collections.Tests;

/// <summary>Aliases, on every store: one name space with collections, atomic swaps, durable, guarding what they name.</summary>
public abstract partial class CollectionStoreConformance
{
    private ICollectionAliases Aliases => (ICollectionAliases)Store;

    [Fact]
    public async Task AnAlias_NamesACollection_SwapsAtomically_SurvivesAReopen_AndIsRemoved()
    {
        await Store.CreateAsync("shop-v1", new CollectionSettings());
        await Store.CreateAsync("shop-v2", new CollectionSettings());

        Assert.Null(await Aliases.SetAliasAsync("shop", "shop-v1"));
        Assert.Equal("shop-v1", await Aliases.ResolveAliasAsync("shop"));
        Assert.Equal("shop-v1", await Aliases.SetAliasAsync("shop", "shop-v2"));
        Assert.Null(await Aliases.SetAliasAsync("outlet", "shop-v1"));
        Assert.Null(await Aliases.ResolveAliasAsync("shop-v1")); // a collection's name is not an alias
        await ReopenAsync();

        Assert.Equal([new CollectionAlias("outlet", "shop-v1"), new CollectionAlias("shop", "shop-v2")], await Aliases.AliasesAsync());
        Assert.True(await Aliases.RemoveAliasAsync("outlet"));
        Assert.False(await Aliases.RemoveAliasAsync("outlet"));
        Assert.Null(await Aliases.ResolveAliasAsync("outlet"));
        Assert.Equal(["shop"], (await Aliases.AliasesAsync()).Select(a => a.Alias));
        Assert.Equal(["shop-v1", "shop-v2"], (await Store.ListAsync()).Select(c => c.Name)); // the collections stay
    }

    [Fact]
    public async Task AliasesAndCollections_ShareOneNameSpace_AndACollectionAnAliasNames_IsNotDropped()
    {
        await Store.CreateAsync("shop-v1", new CollectionSettings());
        await Aliases.SetAliasAsync("shop", "shop-v1");

        var aliasOfAlias = await Assert.ThrowsAsync<InvalidRequestException>(() => Aliases.SetAliasAsync("deals", "shop"));
        var toMissing = await Assert.ThrowsAsync<CollectionNotFoundException>(() => Aliases.SetAliasAsync("deals", "nothing"));
        var overCollection = await Assert.ThrowsAsync<AliasConflictException>(() => Aliases.SetAliasAsync("shop-v1", "shop-v1"));
        var createOverAlias = await Assert.ThrowsAsync<AliasConflictException>(() => Store.CreateAsync("shop", new CollectionSettings()));
        var dropNamed = await Assert.ThrowsAsync<AliasConflictException>(() => Store.DropAsync("shop-v1"));
        var dropAlias = await Assert.ThrowsAsync<AliasConflictException>(() => Store.DropAsync("shop"));
        var badName = await Assert.ThrowsAsync<InvalidRequestException>(() => Aliases.SetAliasAsync("Shop!", "shop-v1"));

        Assert.Contains("'shop' is an alias (of 'shop-v1')", aliasOfAlias.Message);
        Assert.Contains("'nothing'", toMissing.Message);
        Assert.Contains("'shop-v1' is a collection's name", overCollection.Message);
        Assert.Contains("'shop' is an alias of 'shop-v1'", createOverAlias.Message);
        Assert.Contains("is what alias 'shop' names", dropNamed.Message);
        Assert.Contains("'shop' is an alias of 'shop-v1'", dropAlias.Message);
        Assert.Contains("'Shop!' is not a valid collection name", badName.Message);
        Assert.Single(await Store.ListAsync());
        Assert.Equal("shop-v1", await Aliases.ResolveAliasAsync("shop"));

        await Aliases.RemoveAliasAsync("shop");
        Assert.True(await Store.DropAsync("shop-v1"));
    }
}
