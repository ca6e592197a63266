using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Tests;

/// <summary>The options records state each rule once; the CLI and the service name the setting their own way.</summary>
public sealed class OptionRulesTests
{
    public static TheoryData<SearchOptions, string> BrokenSearches { get; } = new()
    {
        { new SearchOptions { Top = 0 }, "Top must be at least 1" },
        { new SearchOptions { FusionDepth = -1 }, "FusionDepth must be at least 1" },
        { new SearchOptions { RerankDepth = 0 }, "RerankDepth must be at least 1" },
        { new SearchOptions { RerankFirstStageWeight = 1 }, "RerankFirstStageWeight must be in [0, 1)" },
        { new SearchOptions { Fusion = new FusionOptions { DenseWeight = -0.1 } }, "DenseWeight must be between 0 and 1" },
    };

    [Theory]
    [MemberData(nameof(BrokenSearches))]
    public async Task SearchOptions_NameTheBrokenRule_AndSearchRefusesThem(SearchOptions options, string expected)
    {
        var vector = new float[64];
        vector[0] = 1;
        using var index = CatalogueIndex.Build([new Product("p1", "Cordless Drill")], [vector], new HashingEncoder(), new CatalogueIndexOptions());

        Assert.Equal(expected, options.Problem()!.ToString());
        Assert.Contains(expected, (await Assert.ThrowsAsync<InvalidRequestException>(() => index.SearchAsync("drill", options))).Message);
        Assert.Null(new SearchOptions().Problem());
    }

    [Theory]
    [InlineData(1, 128, 128, "M must be in 2..256")]
    [InlineData(300, 128, 128, "M must be in 2..256")]
    [InlineData(16, 0, 128, "EfConstruction must be at least 1")]
    [InlineData(16, 128, 0, "EfSearch must be at least 1")]
    public void HnswOptions_NameTheBrokenRule_AndTheIndexRefusesThem(int m, int efConstruction, int efSearch, string expected)
    {
        var options = new HnswOptions { M = m, EfConstruction = efConstruction, EfSearch = efSearch };

        Assert.Equal(expected, options.Problem()!.ToString());
        Assert.Equal(expected, new CatalogueIndexOptions { Hnsw = options }.Problem()!.ToString());
        Assert.Contains(expected, Assert.Throws<InvalidRequestException>(() => new HnswVectorIndex(4, SimilarityMetric.Cosine, options)).Message);
    }

    [Fact]
    public void CatalogueIndexOptions_RefuseJaccard()
    {
        var problem = new CatalogueIndexOptions { Metric = SimilarityMetric.Jaccard }.Problem()!;

        Assert.Equal(nameof(CatalogueIndexOptions.Metric), problem.Property);
        Assert.StartsWith("jaccard is lexical", problem.Rule, StringComparison.Ordinal);
    }
}
