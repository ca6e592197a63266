using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Tests;

/// <summary>Explanations checked on constructed cases whose answers are known.</summary>
public sealed class HitExplainerTests : IDisposable
{
    private static readonly Product[] s_products =
    [
        new("sofa", "Grey Sofa Bed"),
        new("drill", "Cordless Drill Kit"),
        new("hammer", "Claw Hammer"),
        new("bits", "Drill Bit Set"),
    ];

    private readonly HashingEncoder _encoder = new(synonyms: new Dictionary<string, string> { ["couch"] = "sofa" });
    private readonly CatalogueIndex _index;

    public HitExplainerTests()
    {
        var text = ProductText.Default;
        _index = CatalogueIndex.Build(s_products, CatalogueIndex.Embed(s_products, _encoder, text), _encoder, new CatalogueIndexOptions { Text = text });
    }

    public void Dispose() => _index.Dispose();

    [Fact]
    public async Task Bm25_AWordTheProductLacks_ContributesNothing_AndTheTermsSumToTheScore()
    {
        var explanation = await _index.ExplainAsync("cordless hammer", "drill", new SearchOptions { SpellCorrection = false });

        Assert.Equal(["cordless", "hammer"], explanation.Bm25.Terms.Select(t => t.Word));
        Assert.Equal(0, explanation.Bm25.Terms.Single(t => t.Word == "hammer").Contribution);
        Assert.True(explanation.Bm25.Terms.Single(t => t.Word == "cordless").Contribution > 0);
        var bm25 = (await _index.SearchAsync("cordless hammer", new SearchOptions { Method = SearchMethod.Bm25, SpellCorrection = false }))
            .Single(r => r.Product.Id == "drill").Score;
        Assert.Equal(bm25, explanation.Bm25.Score, 4);
    }

    [Fact]
    public async Task Dense_AProductThatMatchesOnlyByASynonym_HasItsWeightOnTheDenseSide()
    {
        var explanation = await _index.ExplainAsync("couch", "sofa", new SearchOptions { SpellCorrection = false });

        Assert.Equal(0, explanation.Bm25.Score);
        Assert.Null(explanation.Bm25.Rank);
        Assert.True(explanation.Dense.Score > 0.5, $"dense {explanation.Dense.Score}");
        Assert.Equal(1, explanation.Dense.Rank);
        var couch = explanation.Dense.QueryWords.Single();
        Assert.Equal("couch", couch.Word);
        Assert.Equal(explanation.Dense.Score, couch.Contribution, 4); // without its only word the query matches nothing
        var byWord = explanation.Dense.ProductWords.ToDictionary(w => w.Word, w => w.Contribution, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(3, byWord.Count);
        Assert.True(byWord["sofa"] > byWord["grey"] && byWord["sofa"] > byWord["bed"], string.Join(", ", byWord));
        Assert.Equal(0, explanation.Fusion!.Bm25Part);
        Assert.Equal(1, explanation.Fusion.DenseShare, 6);
    }

    [Theory]
    [InlineData(FusionMethod.Weighted)]
    [InlineData(FusionMethod.Rrf)]
    public async Task Hybrid_TheTwoPartsMakeTheFusedScoreOfTheSearch(FusionMethod method)
    {
        var options = new SearchOptions { Fusion = new FusionOptions { Method = method }, SpellCorrection = false };
        var hits = await _index.SearchAsync("drill set", options);

        foreach (var hit in hits)
        {
            var fusion = (await _index.ExplainAsync("drill set", hit.Product.Id, options)).Fusion!;

            Assert.Equal(hit.Score, fusion.Score, 4);
            Assert.Equal(hit.Score > 0 ? 1 : 0, fusion.Bm25Share + fusion.DenseShare, 6); // weighted: each list's last hit adds 0
        }
    }

    [Fact]
    public async Task Explain_UsesTheSpellCorrectedQuery_AndRefusesAnUnknownProduct()
    {
        var explanation = await _index.ExplainAsync("cordles dril", "drill", new SearchOptions());

        Assert.Equal("cordless drill", explanation.Searched);
        Assert.Equal(["cordless", "drill"], explanation.Dense.QueryWords.Select(w => w.Word));
        Assert.NotNull(explanation.Fusion); // hybrid by default
        await Assert.ThrowsAsync<Core.InvalidRequestException>(() => _index.ExplainAsync("drill", "nope", new SearchOptions()));
    }

    [Fact]
    public async Task Rerank_GivesTheCrossEncodersScoreTheFirstStageRankAndItsQueryWords()
    {
        var options = new SearchOptions { Reranker = new WordOverlapScorer(), SpellCorrection = false };
        var reranked = await _index.SearchAsync("drill bit", options);
        var firstStage = await _index.SearchAsync("drill bit", options with { Reranker = null });

        foreach (var hit in reranked)
        {
            var rerank = (await _index.ExplainAsync("drill bit", hit.Product.Id, options)).Rerank!;

            Assert.Equal(hit.Score, rerank.Score, 4);
            Assert.Equal(firstStage.Single(r => r.Product.Id == hit.Product.Id).Rank, rerank.FirstStageRank);
        }

        var bits = (await _index.ExplainAsync("drill bit", "bits", options)).Rerank!;
        Assert.Equal(["drill", "bit"], bits.QueryWords.Select(w => w.Word));
        Assert.All(bits.QueryWords, w => Assert.Equal(1, w.Contribution)); // each word is one overlapping word
        Assert.Null((await _index.ExplainAsync("drill bit", "bits", options with { Reranker = null })).Rerank);
    }

    /// <summary>A stand-in cross-encoder: the number of query words the text contains.</summary>
    private sealed class WordOverlapScorer : IPairScorer
    {
        public string Identity => "word-overlap";

        public bool ScoresRelevance => false;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            texts.Select(t => (float)query.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Count(w => t.Split(' ').Contains(w, StringComparer.OrdinalIgnoreCase))).ToArray();
    }
}
