using SemanticMatch.Index.Keyword;

namespace SemanticMatch.Index.Tests;

public sealed class Bm25IndexTests : IDisposable
{
    private readonly Bm25Index _index = Bm25Index.CreateInMemory();

    public Bm25IndexTests()
    {
        _index.Upsert("drill", "20 volt Cordless Drill/Driver Kit");
        _index.Upsert("bits", "Titanium Drill Bit Set");
        _index.Upsert("faucet", "White Kitchen Faucet with Sprayer");
        _index.Upsert("hose", "Garden Hose 50 feet");
        _index.Commit();
    }

    public void Dispose() => _index.Dispose();

    [Fact]
    public void Search_RanksTheBestKeywordMatchFirst_WithStemming()
    {
        var hits = _index.Search("cordless drills", 10);

        Assert.Equal(["drill", "bits"], hits.Select(h => h.ProductId));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void Search_QuerySyntaxCharacters_AreTreatedAsText()
    {
        Assert.NotEmpty(_index.Search("kitchen AND (faucet) \"white\" 1/2 -", 10));
        Assert.Empty(_index.Search("the of and", 10));
    }

    [Fact]
    public void ScoreCandidates_GivesSearchScoresAndZeroForNonMatches()
    {
        var scores = _index.ScoreCandidates("drill", ["drill", "hose", "unknown"]);
        var searched = _index.Search("drill", 10).ToDictionary(h => h.ProductId, h => h.Score);

        Assert.Equal(searched["drill"], scores["drill"], 5);
        Assert.Equal(0, scores["hose"]);
        Assert.Equal(0, scores["unknown"]);
    }

    [Fact]
    public void Search_WithFilter_RanksWithinTheAcceptedProducts()
    {
        using var index = Bm25Index.CreateInMemory();
        for (var i = 0; i < 40; i++)
        {
            // Even products match "drill" twice, odd ones once: without the filter the first 20 hits are all even.
            index.Upsert($"p{i}", i % 2 == 0 ? $"drill drill model {i}" : $"drill model {i}");
        }

        index.Commit();

        var hits = index.Search("drill", 5, id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1);

        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.True(int.Parse(h.ProductId[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1, h.ProductId));
        Assert.Equal(index.ScoreCandidates("drill", [hits[0].ProductId])[hits[0].ProductId], hits[0].Score, 4);
        Assert.Empty(index.Search("drill", 5, _ => false));
    }

    [Fact]
    public void Filter_IsAskedOnlyAboutTheProductsTheQueryMatches_NotTheWholeIndex()
    {
        using var index = Bm25Index.CreateInMemory();
        for (var i = 0; i < 500; i++)
        {
            index.Upsert($"p{i}", i % 100 == 0 ? $"garden hose {i}" : $"cordless drill {i}");
        }

        index.Upsert("p100", "cordless drill 100"); // replaced: its old document is deleted, never asked about
        index.Commit();
        var asked = new List<string>();

        var hits = index.Search("hose", 10, id => { asked.Add(id); return id != "p200"; });
        var count = index.CountMatches("hose", id => id != "p200");

        Assert.Equal(["p0", "p300", "p400"], hits.Select(h => h.ProductId).Order(StringComparer.Ordinal));
        Assert.Equal(["p0", "p200", "p300", "p400"], asked.Order(StringComparer.Ordinal));
        Assert.Equal(3, count);
    }

    [Fact]
    public void Upsert_ReplacesText_AndRemoveDeletes()
    {
        _index.Upsert("hose", "Cordless leaf blower");
        _index.Remove("faucet");
        _index.Commit();

        Assert.Equal(3, _index.Count);
        Assert.Contains("hose", _index.Search("cordless", 10).Select(h => h.ProductId));
        Assert.Empty(_index.Search("faucet", 10));
    }

    [Theory]
    [InlineData("cordles dril", "cordless drill")]
    [InlineData("kitchn faucet", "kitchen faucet")]
    [InlineData("drill bit", "drill bit")]
    [InlineData("sofa", "sofa")]
    public void CorrectSpelling_FixesOnlyWordsTheCatalogueLacks(string query, string expected) =>
        Assert.Equal(expected, _index.CorrectSpelling(query));

    [Fact]
    public void OpenReadOnly_MissingIndex_IsAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), "semmatch-none-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<KeywordIndexException>(() => Bm25Index.OpenReadOnly(path));

        Assert.EndsWith("no keyword index found", error.Message);
    }
}
