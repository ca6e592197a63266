using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Tests;

public sealed class CatalogueIndexTests : IDisposable
{
    private static readonly Product[] s_products =
    [
        new("d1", "Cordless Drill Kit 20V"),
        new("d2", "Titanium Drill Bit Set"),
        new("f1", "White Kitchen Faucet"),
        new("f2", "Chrome Bathroom Faucet"),
        new("h1", "Garden Hose 50 ft."),
    ];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "semmatch-catalogue-" + Guid.NewGuid().ToString("N"));
    private readonly HashingEncoder _encoder = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(SearchMethod.Bm25)]
    [InlineData(SearchMethod.Dense)]
    [InlineData(SearchMethod.Hybrid)]
    public async Task Search_EachMethod_FindsTheMatchingProductFirst(SearchMethod method)
    {
        using var index = Build(VectorIndexKind.Exact, directory: null);

        var results = await index.SearchAsync("kitchen faucet", new SearchOptions { Method = method, Top = 3 });

        Assert.Equal("f1", results[0].Product.Id);
        Assert.Equal(Enumerable.Range(1, results.Count), results.Select(r => r.Rank));
        Assert.True(results.Count <= 3);
    }

    [Theory]
    [InlineData(VectorIndexKind.Exact)]
    [InlineData(VectorIndexKind.Hnsw)]
    public async Task SavedIndex_ReopensWithTheSameResults(VectorIndexKind kind)
    {
        using (var built = Build(kind, _directory))
        {
            Assert.Equal(5, built.Products.Count);
        }

        using var reopened = CatalogueIndex.Open(_directory, _encoder);
        var results = await reopened.SearchAsync("garden hose", new SearchOptions { Method = SearchMethod.Hybrid, Top = 2 });

        Assert.Equal("h1", results[0].Product.Id);
        Assert.Equal("Garden Hose 50 ft.", results[0].Product.Title);
        Assert.Equal(kind, reopened.Manifest.VectorIndex);
        Assert.Equal("hashing-64", reopened.Manifest.ModelIdentity);
    }

    [Fact]
    public void Open_WithAnotherModel_RefusesAndSaysWhichModelToUse()
    {
        Build(VectorIndexKind.Exact, _directory).Dispose();

        var error = Assert.Throws<IndexModelMismatchException>(() => CatalogueIndex.Open(_directory, new HashingEncoder("other-model")));

        Assert.Contains("was built with model hashing-64 (from 'test-model'), but the model given is other-model", error.Message);
        Assert.Equal("test-model", error.ModelSource);
        Assert.DoesNotContain("--", error.Message);
    }

    [Fact]
    public void Open_NotAnIndex_SaysHowToBuildOne()
    {
        Directory.CreateDirectory(_directory);

        var error = Assert.Throws<IndexMismatchException>(() => CatalogueIndex.Open(_directory, _encoder));

        Assert.Contains("is not a SemanticMatch index (no manifest.json); build one with 'semmatch index'", error.Message);
    }

    [Fact]
    public void Build_IntoANonEmptyForeignDirectory_IsRefused_AndLeavesItAlone()
    {
        Directory.CreateDirectory(_directory);
        var precious = Path.Combine(_directory, "thesis.docx");
        File.WriteAllText(precious, "do not delete");

        Assert.Throws<IndexMismatchException>(() => Build(VectorIndexKind.Exact, _directory));
        Assert.True(File.Exists(precious));
    }

    [Fact]
    public async Task Search_MisspelledQuery_IsCorrectedForDenseToo()
    {
        using var index = Build(VectorIndexKind.Exact, directory: null);

        var results = await index.SearchAsync("kitchn facuet", new SearchOptions { Method = SearchMethod.Dense, Top = 1 });

        Assert.Equal("f1", results[0].Product.Id);
        Assert.Equal("kitchen faucet", _encoder.QueriesSeen[^1]);
    }

    [Fact]
    public async Task Search_EmptyQuery_IsRejected()
    {
        using var index = Build(VectorIndexKind.Exact, directory: null);

        await Assert.ThrowsAsync<InvalidRequestException>(() => index.SearchAsync("   ", new SearchOptions()));
    }

    [Theory]
    [InlineData("?!")]
    [InlineData("--- ...")]
    public async Task Search_QueryWithoutLettersOrDigits_IsRejectedInsteadOfArbitraryResults(string query)
    {
        using var index = Build(VectorIndexKind.Exact, directory: null);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => index.SearchAsync(query, new SearchOptions { Method = SearchMethod.Dense }));

        Assert.Contains("has no letters or digits", error.Message);
    }

    [Theory]
    [InlineData(SearchMethod.Bm25)]
    [InlineData(SearchMethod.Dense)]
    [InlineData(SearchMethod.Hybrid)]
    public async Task Search_TopAtTheIntegerLimit_ReturnsTheWholeCatalogue(SearchMethod method)
    {
        using var index = Build(VectorIndexKind.Exact, directory: null);

        var results = await index.SearchAsync("faucet", new SearchOptions
        {
            Method = method, Top = int.MaxValue, FusionDepth = int.MaxValue, RerankDepth = int.MaxValue,
        });

        Assert.Equal(method == SearchMethod.Bm25 ? 2 : s_products.Length, results.Count);
        Assert.Equal(results.Count, results.Select(r => r.Product.Id).Distinct().Count());
    }

    [Fact]
    public void FieldsProblem_UnknownField_ListsTheColumns()
    {
        var text = new ProductText(["title", "colour"], TextNormalizationOptions.Default);
        Product[] products = [new("1", "Drill", new Dictionary<string, string> { ["brand"] = "Acme", ["description"] = "20V" })];

        var problem = text.FieldsProblem(products, "p.csv");

        Assert.Equal(new OptionProblem("Fields", "'colour' is not a column of p.csv (it has: brand, description, title)"), problem);
        Assert.Null(ProductText.Default.FieldsProblem(products, "p.csv"));
    }

    private CatalogueIndex Build(VectorIndexKind kind, string? directory)
    {
        var options = new CatalogueIndexOptions { VectorIndex = kind, ModelSource = "test-model" };
        var embeddings = CatalogueIndex.Embed(s_products, _encoder, options.Text);
        return CatalogueIndex.Build(s_products, embeddings, _encoder, options, directory);
    }
}
