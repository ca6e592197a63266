using SemanticMatch.Collections.Postgres;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// What every implementation of the engine's retrieval seam (<see cref="IRetrieval"/>) does: the keyword list by BM25
/// (Lucene's formula and defaults k1 = 1.2, b = 0.75), best first and ties by id; the dense list by similarity, ties by
/// id; scores of given items agreeing with the lists; term contributions summing to the score; filters inside both
/// lists; spelling correction against the catalogue's words. Subclassed for the in-process retrieval (Lucene + exact
/// vectors) and the SQL one (PostgreSQL + pgvector).
/// </summary>
/// <remarks>
/// Every title has four words, so Lucene's lossy one-byte length is exact and both compute the same BM25 up to float
/// arithmetic (<see cref="ScoreTolerance"/>); for titles of other lengths they differ (docs/design.md, deviations).
/// </remarks>
public abstract class RetrievalConformance
{
    /// <summary>Relative tolerance of scores against the formula.</summary>
    protected const double ScoreTolerance = 1e-4;

    private static readonly Record[] s_records =
    [
        Records.R("a1", "cordless drill blue kit", category: "tools"),
        Records.R("a2", "cordless drill red kit", category: "tools"),
        Records.R("a3", "hammer drill green set", category: "tools"),
        Records.R("a4", "garden hose green reel", category: "garden"),
        Records.R("a5", "paint brush blue set", category: "paint"),
        Records.R("a6", "drill drill drill bit", category: "tools"),
    ];

    private readonly HashingEncoderAccess _vectors = new();

    /// <summary>The retrieval over <paramref name="records"/> under <paramref name="filters"/> (texts: the title, as the default settings build them).</summary>
    protected abstract Task<IRetrieval> OpenAsync(IReadOnlyList<Record> records, IReadOnlyList<FieldFilter> filters);

    [Fact]
    public async Task Keyword_RanksByBm25_BestFirst_TiesById()
    {
        var retrieval = await OpenAsync(s_records, []);

        var hits = await retrieval.KeywordAsync("drill", 10, TestContext.Current.CancellationToken);

        Assert.Equal(["a6", "a1", "a2", "a3"], hits.Select(h => h.ProductId));
        Assert.Equal(hits[1].Score, hits[2].Score);
        Assert.Equal(hits[1].Score, hits[3].Score);
        var idf = Math.Log(1 + ((6 - 4 + 0.5) / (4 + 0.5)));
        AssertClose(idf * 3 * 2.2 / (3 + 1.2), hits[0].Score);
        AssertClose(idf * 1 * 2.2 / (1 + 1.2), hits[1].Score);
    }

    [Fact]
    public async Task Spelling_ReplacesUnknownWordsByTheirNearestKnownWord_AndKeepsKnownOnes()
    {
        var retrieval = await OpenAsync(s_records, []);
        var token = TestContext.Current.CancellationToken;

        Assert.Equal("cordless drill garden", await retrieval.CorrectSpellingAsync("cordles drill gardn", token));
        Assert.Equal("hammer set reel", await retrieval.CorrectSpellingAsync("hammer set reel", token));
        Assert.Equal("zebra drill", await retrieval.CorrectSpellingAsync("zebra drill", token)); // nothing near: left as typed
    }

    [Fact]
    public async Task Keyword_CutsAtK_AndMatchesAnyWord()
    {
        var retrieval = await OpenAsync(s_records, []);

        var hits = await retrieval.KeywordAsync("green set", 3, TestContext.Current.CancellationToken);

        Assert.Equal(["a3", "a4", "a5"], hits.Select(h => h.ProductId)); // a3 has both words; a4 and a5 one each, tied
        Assert.Empty(await retrieval.KeywordAsync("ladder", 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Dense_RanksBySimilarity_TiesById()
    {
        var retrieval = await OpenAsync(s_records, []);
        var query = _vectors.Query("cordless drill kit");

        var hits = await retrieval.DenseAsync(query, 3, TestContext.Current.CancellationToken);

        Assert.Equal(["a1", "a2"], hits.Take(2).Select(h => h.ProductId)); // the same three of four words: tied
        Assert.Equal(hits[0].Score, hits[1].Score, 6);
        Assert.Equal(3, hits.Count);
        AssertClose(VectorSimilarity.Cosine(query, _vectors.Document("cordless drill blue kit")), hits[0].Score);
        Assert.Equal(SimilarityMetric.Cosine, retrieval.Metric);
    }

    [Fact]
    public async Task ScoresOfGivenItems_AgreeWithTheLists()
    {
        var retrieval = await OpenAsync(s_records, []);
        var query = _vectors.Query("drill kit");
        var keyword = await retrieval.KeywordAsync("drill kit", 10, TestContext.Current.CancellationToken);
        var dense = await retrieval.DenseAsync(query, 6, TestContext.Current.CancellationToken);
        string[] ids = ["a4", "a1", "a6"];

        var keywordScores = await retrieval.KeywordScoresAsync("drill kit", ids, TestContext.Current.CancellationToken);
        var denseScores = await retrieval.DenseScoresAsync(query, ids, TestContext.Current.CancellationToken);

        Assert.Equal(0, keywordScores[0]); // a4 matches no word
        AssertClose(keyword.Single(h => h.ProductId == "a1").Score, keywordScores[1]);
        AssertClose(keyword.Single(h => h.ProductId == "a6").Score, keywordScores[2]);
        Assert.All(ids.Select((id, i) => (id, i)), x => AssertClose(dense.Single(h => h.ProductId == x.id).Score, denseScores[x.i]));
    }

    [Fact]
    public async Task TermContributions_SumToTheKeywordScore()
    {
        var retrieval = await OpenAsync(s_records, []);
        var hit = (await retrieval.KeywordAsync("cordless drill", 1, TestContext.Current.CancellationToken))[0];

        var terms = await retrieval.ExplainTermsAsync("cordless drill", hit.ProductId, TestContext.Current.CancellationToken);
        var none = await retrieval.ExplainTermsAsync("cordless drill", "a4", TestContext.Current.CancellationToken);

        Assert.Equal("a1", hit.ProductId);
        Assert.Equal(2, terms.Count);
        AssertClose(hit.Score, terms.Sum(t => t.Contribution));
        Assert.All(none, t => Assert.Equal(0, t.Contribution));
    }

    [Fact]
    public async Task KeywordCount_IsTheFullLengthOfTheKeywordList_UnderTheFilter()
    {
        var all = await OpenAsync(s_records, []);
        var tools = await OpenAsync(s_records, [new FieldFilter { Field = "category", EqualTo = "tools" }]);
        var token = TestContext.Current.CancellationToken;

        Assert.Equal(4, await all.KeywordCountAsync("drill", token));
        Assert.Equal((await all.KeywordAsync("green blue", 10, token)).Count, await all.KeywordCountAsync("green blue", token));
        Assert.Equal(1, await tools.KeywordCountAsync("green", token));
        Assert.Equal(0, await all.KeywordCountAsync("zebra", token));
    }

    [Fact]
    public async Task Filters_ApplyInsideBothLists()
    {
        var retrieval = await OpenAsync(s_records, [new FieldFilter { Field = "category", EqualTo = "tools" }]);

        var keyword = await retrieval.KeywordAsync("green", 10, TestContext.Current.CancellationToken);
        var dense = await retrieval.DenseAsync(_vectors.Query("garden hose"), 10, TestContext.Current.CancellationToken);

        Assert.Equal(["a3"], keyword.Select(h => h.ProductId)); // a4 is green too, but garden
        Assert.Equal(["a1", "a2", "a3", "a6"], dense.Select(h => h.ProductId).Order(StringComparer.Ordinal));
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= ScoreTolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    /// <summary>The vectors the fake models give.</summary>
    private sealed class HashingEncoderAccess
    {
        private readonly Core.ITextEncoder _encoder = new FakeModels().Encoder("hashing");

        public float[] Query(string text) => _encoder.EncodeOne(text, Core.TextRole.Query);

        public float[] Document(string text) => _encoder.EncodeOne(text, Core.TextRole.Document);
    }
}

/// <summary>The retrieval conformance suite on Lucene BM25 and exact vectors in process.</summary>
public sealed class IndexRetrievalConformance : RetrievalConformance, IDisposable
{
    private readonly List<IDisposable> _indexes = [];

    protected override Task<IRetrieval> OpenAsync(IReadOnlyList<Record> records, IReadOnlyList<FieldFilter> filters)
    {
        var encoder = new FakeModels().Encoder("hashing");
        var keyword = Bm25Index.CreateInMemory();
        var vectors = new ExactVectorIndex(encoder.Dimension, SimilarityMetric.Cosine);
        _indexes.Add(keyword);
        _indexes.Add(vectors);
        foreach (var record in records)
        {
            var text = ProductText.Default.Of(record.Text);
            keyword.Upsert(record.Id, text);
            vectors.Add(record.Id, encoder.EncodeOne(text, Core.TextRole.Document));
        }

        keyword.Commit();
        var byId = records.ToDictionary(r => r.Id, StringComparer.Ordinal);
        Func<string, bool>? filter = filters.Count == 0 ? null : id => filters.All(f => f.Accepts(byId[id]));
        return Task.FromResult<IRetrieval>(new IndexRetrieval(keyword, vectors, filter));
    }

    public void Dispose() => _indexes.ForEach(i => i.Dispose());
}

/// <summary>The retrieval conformance suite on BM25 in SQL and pgvector (PGlite), the database emptied before each test.</summary>
public sealed class PostgresRetrievalConformance(PgliteFixture database) : RetrievalConformance, IClassFixture<PgliteFixture>, IAsyncDisposable
{
    private PostgresCollectionStore? _store;

    protected override async Task<IRetrieval> OpenAsync(IReadOnlyList<Record> records, IReadOnlyList<FieldFilter> filters)
    {
        var models = new FakeModels();
        var options = new PostgresStoreOptions { ConnectionString = await database.EmptyAsync() };
        _store = await PostgresCollectionStore.OpenAsync(models, options, TestContext.Current.CancellationToken);
        await _store.CreateAsync("shop", new CollectionSettings(), TestContext.Current.CancellationToken);
        await _store.UpsertAsync("shop", records, TestContext.Current.CancellationToken);
        return new PostgresRetrieval(_store, "shop", models.Encoder("hashing").Dimension, SimilarityMetric.Cosine, filters, options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
