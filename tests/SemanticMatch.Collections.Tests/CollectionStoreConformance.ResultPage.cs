using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>What a results page needs, on every store: totals, facets, sort, pages, synonyms, suggestions, highlights.</summary>
public abstract partial class CollectionStoreConformance
{
    private static readonly string[] s_brands = ["Voltline", "Kestrel", "Ironbark", "Tidewater"];
    private static readonly string[] s_kinds = ["cordless drill", "hammer drill", "drill bit set", "impact driver", "kitchen faucet", "bath faucet", "sofa cover"];

    // A seeded random catalogue: brand, kind and price vary; every title says its brand and kind.
    private static List<Record> Catalogue(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var brand = s_brands[random.Next(s_brands.Length)];
            return Records.R($"r{i:D3}", $"{brand} {s_kinds[random.Next(s_kinds.Length)]} model {i}", price: Math.Round(5 + (random.NextDouble() * 395), 2), brand: brand,
                category: random.Next(3) == 0 ? "clearance" : "regular");
        }).ToList();
    }

    [Theory]
    [InlineData(7)]
    [InlineData(11)]
    public async Task Facets_EqualABruteForceCountOfTheMatches_UnderFilters(int seed)
    {
        var records = Catalogue(seed, 120);
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", records);
        var filter = new FieldFilter { Field = "category", EqualTo = "regular" };

        var result = await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "drill", Method = SearchMethod.Bm25, Top = 5, Facets = ["brand", "price"], Filters = [filter],
        });

        var matching = records.Where(r => r.Text("title").Split(' ').Contains("drill") && filter.Accepts(r)).ToList();
        Assert.Equal(matching.Count, result.Total);
        var brands = matching.GroupBy(r => r.Text("brand")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(brands.OrderBy(b => b.Key), result.Facets!["brand"].Values!.OrderBy(b => b.Key));
        Assert.Equal(matching.Min(r => r.Number("price")), result.Facets["price"].Min);
        Assert.Equal(matching.Max(r => r.Number("price")), result.Facets["price"].Max);
        Assert.Null(result.Facets["price"].Values);
        Assert.Equal(5, result.Hits.Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    public async Task Facets_AreDisjunctive_AFieldsOwnFilterDoesNotHideItsOtherValues(int seed)
    {
        var records = Catalogue(seed, 120);
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", records);
        var kestrel = new FieldFilter { Field = "brand", In = ["Kestrel"] };
        var cheap = new FieldFilter { Field = "price", Max = 200 };
        FieldFilter[] both = [kestrel, cheap];

        var result = await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "drill", Method = SearchMethod.Bm25, Top = 5, Facets = ["brand", "price", "category"], Filters = both,
        });

        var drills = records.Where(r => r.Text("title").Split(' ').Contains("drill")).ToList();
        var matching = drills.Where(r => both.All(f => f.Accepts(r))).ToList();
        Assert.Equal(matching.Count, result.Total);
        Assert.All(result.Hits, h => Assert.Equal("Kestrel", h.Record.Text("brand")));
        var brands = drills.Where(cheap.Accepts).GroupBy(r => r.Text("brand")).ToDictionary(g => g.Key, g => g.Count()); // every brand under the price filter
        Assert.Equal(brands.OrderBy(b => b.Key), result.Facets!["brand"].Values!.OrderBy(b => b.Key));
        Assert.Equal(4, brands.Count);
        var kestrels = drills.Where(kestrel.Accepts).ToList(); // every price of the brand picked
        Assert.Equal((kestrels.Min(r => r.Number("price")), kestrels.Max(r => r.Number("price"))), (result.Facets["price"].Min, result.Facets["price"].Max));
        Assert.True(kestrels.Max(r => r.Number("price")) > 200);
        var categories = matching.GroupBy(r => r.Text("category")).ToDictionary(g => g.Key, g => g.Count()); // unfiltered: under both
        Assert.Equal(categories.OrderBy(b => b.Key), result.Facets["category"].Values!.OrderBy(b => b.Key));
        Assert.Equal(["brand", "price", "category"], result.Facets.Keys);
    }

    [Theory]
    [InlineData(SearchMethod.Dense)]
    [InlineData(SearchMethod.Hybrid)]
    public async Task AFilteredFieldsFacet_IsTheFacetOfTheSearchWithoutItsFilter_ForEveryMethod(SearchMethod method)
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", Catalogue(17, 120));
        var kestrel = new FieldFilter { Field = "brand", EqualTo = "Kestrel" };
        var regular = new FieldFilter { Field = "category", EqualTo = "regular" };

        var filtered = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = method, Facets = ["brand"], Filters = [kestrel, regular] });
        var without = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = method, Facets = ["brand"], Filters = [regular] });

        Assert.Equal(without.Facets!["brand"].Values, filtered.Facets!["brand"].Values);
        Assert.True(filtered.Facets["brand"].Values!.Count > 1);
        Assert.All(filtered.Hits, h => Assert.Equal("Kestrel", h.Record.Text("brand")));
    }

    [Fact]
    public async Task Pages_ConcatenateToTheUnpagedOrder_WithoutGapsOrRepeats_ForEveryMethod()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", Catalogue(3, 90));
        foreach (var method in new[] { SearchMethod.Bm25, SearchMethod.Dense, SearchMethod.Hybrid })
        {
            var whole = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = method, Top = 60 });
            var paged = new List<string>();
            for (var offset = 0; offset < 60; offset += 7)
            {
                var page = await Store.SearchAsync("shop", new CollectionQuery { Query = "cordless drill", Method = method, Top = Math.Min(7, 60 - offset), Offset = offset });
                Assert.Equal(whole.Total, page.Total);
                Assert.Equal(offset + 1, page.Hits.Count == 0 ? offset + 1 : page.Hits[0].Rank);
                paged.AddRange(page.Hits.Select(h => h.Record.Id));
            }

            Assert.Equal(whole.Hits.Select(h => h.Record.Id), paged);
        }
    }

    [Fact]
    public async Task Sort_OrdersAllMatchesByTheField_RelevanceBreakingTies_MissingLast()
    {
        var records = Catalogue(5, 80).Append(Records.R("nop", "Voltline cordless drill without a price")).ToList();
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", records);

        var byPrice = await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "drill", Method = SearchMethod.Bm25, Top = 100, Sort = [new SortKey("price", Descending: true)],
        });
        var byBrandThenPrice = await Store.SearchAsync("shop", new CollectionQuery
        {
            Query = "drill", Method = SearchMethod.Bm25, Top = 100, Sort = [new SortKey("brand", false), new SortKey("price", false)],
        });

        var prices = byPrice.Hits.Select(h => h.Record.Number("price")).ToList();
        Assert.Equal(byPrice.Total, byPrice.Hits.Count);
        Assert.Equal("nop", byPrice.Hits[^1].Record.Id);
        Assert.Equal(prices.Take(prices.Count - 1).OrderByDescending(p => p), prices.Take(prices.Count - 1));
        var keys = byBrandThenPrice.Hits.Where(h => h.Record.Id != "nop").Select(h => (h.Record.Text("brand"), h.Record.Number("price")!.Value)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2), keys);
    }

    [Fact]
    public async Task Synonyms_LetAKeywordSearchFindRecordsHoldingOnlyAnother_AndSurviveAReopen()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("s1", "Grey Sofa Cover"), Records.R("d1", "Cordless Drill"), Records.R("c1", "Coach Bag")]);
        var before = await Store.SearchAsync("shop", new CollectionQuery { Query = "couch", Method = SearchMethod.Bm25 });

        await Store.SetSynonymsAsync("shop", Synonyms.Of([["couch", "sofa"]], null, ProductText.Default));
        var after = await Store.SearchAsync("shop", new CollectionQuery { Query = "couch", Method = SearchMethod.Bm25 });
        await ReopenAsync();
        var reopened = await Store.SearchAsync("shop", new CollectionQuery { Query = "couch", Method = SearchMethod.Bm25 });

        Assert.DoesNotContain(before.Hits, h => h.Record.Id == "s1");
        Assert.Equal(["s1"], after.Hits.Select(h => h.Record.Id));
        Assert.Equal("couch", after.Searched); // not "corrected" to coach: a synonym is a known word
        Assert.Equal(["s1"], reopened.Hits.Select(h => h.Record.Id));
        Assert.Equal([["couch", "sofa"]], (await Store.SynonymsAsync("shop")).Groups);
        await Assert.ThrowsAsync<CollectionNotFoundException>(() => Store.SetSynonymsAsync("nope", Synonyms.None));
    }

    [Fact]
    public async Task OneWaySynonyms_WidenOnlyTheInput_AndExplanationsNameTheSynonymThatMatched()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("p1", "Smartphone Case"), Records.R("p2", "Phone Stand"), Records.R("s1", "Grey Sofa Cover")]);
        await Store.SetSynonymsAsync("shop", Synonyms.Of([["couch", "sofa"]], [("phone", ["smartphone"])], ProductText.Default));

        var phone = await Store.SearchAsync("shop", new CollectionQuery { Query = "phone", Method = SearchMethod.Bm25 });
        var smartphone = await Store.SearchAsync("shop", new CollectionQuery { Query = "smartphone", Method = SearchMethod.Bm25 });
        var couch = await Store.SearchAsync("shop", new CollectionQuery { Query = "grey couch", Method = SearchMethod.Bm25, Explain = true });
        await ReopenAsync();
        var kept = await Store.SynonymsAsync("shop");

        Assert.Equal(["p1", "p2"], phone.Hits.Select(h => h.Record.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["p1"], smartphone.Hits.Select(h => h.Record.Id));
        var terms = couch.Hits.Single(h => h.Record.Id == "s1").Explanation!.Bm25.Terms;
        Assert.Equal([("grey", null), ("sofa", "couch")], terms.Where(t => t.Contribution > 0).Select(t => (t.Word, t.SynonymOf)));
        Assert.All(terms.Where(t => t.Word == "couch"), t => Assert.Null(t.SynonymOf)); // a word the query typed is its own
        Assert.Equal([new OneWaySynonym("phone", ["smartphone"])], kept.OneWay, (a, b) => a.Input == b.Input && a.Synonyms.SequenceEqual(b.Synonyms));
        Assert.Equal([["couch", "sofa"]], kept.Groups);
    }

    [Fact]
    public async Task Suggest_CompletesTheLastWord_FromTheShownWords_MostFrequentFirst()
    {
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "supplier"], PrivateFields = ["supplier"] });
        await Store.UpsertAsync("shop",
        [
            Records.R("a", "Cordless Drill"), Records.R("b", "Cordless Saw"), Records.R("c", "Corded Drill"), Records.R("d", "Corner Shelf"),
            Record.FromJson(Records.Json("""{"id": "e", "title": "Shelf", "supplier": "Cornwall Tools"}"""), "e"),
        ]);

        var completions = await Store.SuggestAsync("shop", "red cor", 3);
        var none = await Store.SuggestAsync("shop", "zzz", 3);

        Assert.Equal(["red cordless", "red corded", "red corner"], completions);
        Assert.Empty(none);
        Assert.DoesNotContain(await Store.SuggestAsync("shop", "cornw", 5), s => s.Contains("cornwall", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Suggest_PutsPopularQueriesFirst_AndFixesATypoWhenNothingCompletesAsTyped()
    {
        await Store.CreateAsync("shop", new CollectionSettings());
        await Store.UpsertAsync("shop", [Records.R("a", "Cordless Drill"), Records.R("b", "Cordless Saw"), Records.R("c", "Corded Drill")]);
        var popular = new KnownQueries("shop", new PopularQuery("cordless drill kit", 12));

        var withPopular = await Store.SuggestAsync("shop", "Cor", 3, popular);
        var swapped = await Store.SuggestAsync("shop", "red codrl", 3, popular);
        var replaced = await Store.SuggestAsync("shop", "sww", 3); // too short for a typo
        var missing = await Assert.ThrowsAsync<CollectionNotFoundException>(() => Store.SuggestAsync("nope", "cor", 3, popular));

        Assert.Equal(["cordless drill kit", "cordless", "corded"], withPopular);
        Assert.Equal(["red cordless"], swapped);
        Assert.Empty(replaced);
        Assert.Equal(["shop"], popular.Asked.Distinct()); // never for a collection that does not exist
        Assert.Contains("nope", missing.Message, StringComparison.Ordinal);
    }

    // Popular queries as a traffic log would give them; records which collections were asked for.
    private sealed class KnownQueries(string collection, params PopularQuery[] queries) : IPopularQueries
    {
        public List<string> Asked { get; } = [];

        public IReadOnlyList<PopularQuery> StartingWith(string name, string prefix, int limit)
        {
            Asked.Add(name);
            return name == collection ? queries.Where(q => q.Query.StartsWith(prefix, StringComparison.Ordinal)).Take(limit).ToList() : [];
        }
    }

    [Fact]
    public async Task Highlight_MarksMatchedWordsAndTheirPlurals_EscapingTheRest_NeverPrivateFields()
    {
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title", "supplier"], PrivateFields = ["supplier"] });
        await Store.UpsertAsync("shop", [Record.FromJson(Records.Json("""{"id": "a", "title": "Drills & <Kitchen> Faucet", "supplier": "Faucet Co"}"""), "a")]);

        var hit = (await Store.SearchAsync("shop", new CollectionQuery { Query = "kitchen drill", Method = SearchMethod.Bm25, Highlight = true })).Hits.Single();

        Assert.Equal("<em>Drills</em> &amp; &lt;<em>Kitchen</em>&gt; Faucet", hit.Highlights!["title"]);
        Assert.False(hit.Highlights.ContainsKey("supplier"));
    }

    [Fact]
    public async Task PagesFacetsAndSorts_AreRefusedPastTheirLimits_AndOnPrivateFields()
    {
        await Store.CreateAsync("shop", new CollectionSettings { Fields = ["title"], PrivateFields = ["cost"] });

        var deep = await Assert.ThrowsAsync<InvalidRequestException>(() => Store.SearchAsync("shop", new CollectionQuery { Query = "drill", Offset = 995, Top = 10 }));
        var hidden = await Assert.ThrowsAsync<InvalidRequestException>(() => Store.SearchAsync("shop", new CollectionQuery { Query = "drill", Facets = ["cost"] }));
        var sorted = await Assert.ThrowsAsync<InvalidRequestException>(() => Store.SearchAsync("shop", new CollectionQuery { Query = "drill", Sort = [new SortKey("cost", false)] }));

        Assert.Contains("Offset plus the hits asked must be at most 1000", deep.Message);
        Assert.Contains("'cost' is a private field", hidden.Message);
        Assert.Contains("'cost' is a private field", sorted.Message);
    }
}
