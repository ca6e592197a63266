using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>
/// One seeded catalogue and query set searched through the three searchable things: an index folder, an embedded
/// collection and a PostgreSQL collection. They share the engine's pipeline, so the rankings must be the same.
/// </summary>
/// <remarks>
/// Every title has four distinct words: Lucene 4.8 keeps a document's length as one lossy byte, exact for equal lengths,
/// so its BM25 is the formula the SQL computes (docs/design.md lists the deviation for other lengths). The encoder gives
/// each word its own weight, so no two titles tie on similarity (ties are <see cref="RetrievalConformance"/>'s concern).
/// </remarks>
public sealed class SearchParityTests(PgliteFixture database) : IClassFixture<PgliteFixture>, IDisposable
{
    private const int Seed = 20261202;
    private const int RecordCount = 48;

    /// <summary>PostgreSQL's BM25 against Lucene's on equal-length titles: float arithmetic only.</summary>
    private const double Bm25RelativeTolerance = 1e-4;

    private static readonly string[] s_words =
    [
        "drill", "hammer", "hose", "paint", "brush", "lamp", "chair", "table",
        "valve", "pipe", "glove", "saw", "nail", "screw", "bolt", "rake",
    ];

    private readonly WeightedModels _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task IndexFolderEmbeddedAndPostgresCollections_RankAlike()
    {
        var records = Catalogue();
        var queries = Queries();
        var encoder = _models.Encoder("hashing");
        var folder = Path.Combine(Path.GetTempPath(), "semmatch-parity-" + Guid.NewGuid().ToString("N"));
        var products = records.Select(r => new Product(r.Id, r.Text("title"))).ToList();
        using var index = CatalogueIndex.Build(products, CatalogueIndex.Embed(products, encoder, ProductText.Default), encoder,
            new CatalogueIndexOptions(), Path.Combine(folder, "index"));
        await using var embedded = EmbeddedCollectionStore.Open(Path.Combine(folder, "data"), _models);
        await using var postgres = await PostgresCollectionStore.OpenAsync(_models,
            new PostgresStoreOptions { ConnectionString = await database.EmptyAsync() }, TestContext.Current.CancellationToken);
        try
        {
            foreach (var store in new ICollectionStore[] { embedded, postgres })
            {
                await store.CreateAsync("shop", new CollectionSettings(), TestContext.Current.CancellationToken);
                await store.UpsertAsync("shop", records, TestContext.Current.CancellationToken);
            }

            foreach (var method in Enum.GetValues<SearchMethod>())
            {
                foreach (var query in queries)
                {
                    var fromIndex = await index.SearchAsync(query, new SearchOptions { Method = method, SpellCorrection = false },
                        TestContext.Current.CancellationToken);
                    var collectionQuery = new CollectionQuery { Query = query, Method = method, SpellCorrection = false };
                    var fromEmbedded = (await embedded.SearchAsync("shop", collectionQuery, TestContext.Current.CancellationToken)).Hits;
                    var fromPostgres = (await postgres.SearchAsync("shop", collectionQuery, TestContext.Current.CancellationToken)).Hits;

                    var expected = fromIndex.Select(h => h.Product.Id).ToList();
                    Assert.True(expected.Count == 10, $"{method} '{query}': {expected.Count} hits");
                    Assert.Equal(expected, fromEmbedded.Select(h => h.Record.Id).ToList());
                    Assert.Equal(expected, fromPostgres.Select(h => h.Record.Id).ToList());
                    Assert.Equal(fromIndex.Select(h => h.Score), fromEmbedded.Select(h => h.Score)); // one engine, one index code
                    var tolerance = method == SearchMethod.Dense ? 1e-5 : Bm25RelativeTolerance;
                    Assert.All(fromIndex.Zip(fromPostgres), pair =>
                        Assert.True(Math.Abs(pair.First.Score - pair.Second.Score) <= tolerance * Math.Max(1, Math.Abs(pair.First.Score)),
                            $"{method} '{query}' {pair.First.Product.Id}: {pair.First.Score} vs {pair.Second.Score}"));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task LearnedRankerFeatures_AreThoseOfAServedSearch()
    {
        var records = Catalogue();
        var recording = new RecordingRanker(i => -i.FirstStageRank); // keeps the first stage's order
        var folder = Path.Combine(Path.GetTempPath(), "semmatch-parity-" + Guid.NewGuid().ToString("N"));
        await using var embedded = EmbeddedCollectionStore.Open(folder, _models, new CollectionOptions { Rankers = _ => recording });
        try
        {
            await embedded.CreateAsync("shop", new CollectionSettings { Ranker = "recording" }, TestContext.Current.CancellationToken);
            await embedded.UpsertAsync("shop", records, TestContext.Current.CancellationToken);
            var products = records.Select(r => new Product(r.Id, r.Text("title"))).ToList();
            using var catalogue = RankingCatalogue.Build(products, new CatalogueIndexOptions(), _models.Encoder("hashing"),
                cancellationToken: TestContext.Current.CancellationToken);

            foreach (var query in Queries())
            {
                recording.Seen.Clear();
                await embedded.SearchAsync("shop", new CollectionQuery { Query = query }, TestContext.Current.CancellationToken);
                var judged = new[] { new Judgment(query, records[0].Id, 1) };
                var described = (await catalogue.DescribeAsync(judged, recording.Depth, crossEncoder: null, new FusionOptions(),
                    cancellationToken: TestContext.Current.CancellationToken))[0];

                var served = Assert.Single(recording.Seen);
                Assert.Equal(described.Signals.Candidates, served);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Distinct sets of four distinct words, seeded.
    private static List<Record> Catalogue()
    {
        var random = new Random(Seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<Record>();
        while (records.Count < RecordCount)
        {
            var words = s_words.OrderBy(_ => random.Next()).Take(4).ToList();
            if (seen.Add(string.Join(' ', words.Order(StringComparer.Ordinal))))
            {
                records.Add(Records.R($"r{records.Count:D2}", string.Join(' ', words)));
            }
        }

        return records;
    }

    private static List<string> Queries()
    {
        var random = new Random(Seed + 1);
        return Enumerable.Range(0, 8).Select(_ => string.Join(' ', s_words.OrderBy(_ => random.Next()).Take(2))).ToList();
    }

    /// <summary>Serves one encoder whose vectors weigh each word by its own weight (1 to 2), so word sets do not tie.</summary>
    private sealed class WeightedModels : IModelProvider
    {
        private readonly WeightedEncoder _encoder = new();

        public ITextEncoder Encoder(string model) => _encoder;

        public IPairScorer Reranker(string model) => throw new InvalidRequestException($"unknown re-ranker '{model}'");

        public IPairScorer Scorer(string model, Core.Similarity.SimilarityMetric similarity = Core.Similarity.SimilarityMetric.Cosine) =>
        new Core.Similarity.EmbeddingPairScorer(_encoder, similarity);

        public void Dispose()
        {
        }
    }

    private sealed class WeightedEncoder : ITextEncoder
    {
        public int Dimension => 32;

        public string Identity => "weighted-32";

        public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
            texts.Select(Embed).ToArray();

        private float[] Embed(string text)
        {
            var vector = new float[Dimension];
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var index = Array.IndexOf(s_words, word);
                if (index >= 0)
                {
                    vector[index] += 1 + (index * index % 17 / 16f);
                    vector[16 + (index % 16)] += 0.5f / (index + 1);
                }
            }

            Core.Similarity.VectorSimilarity.Normalize(vector);
            return vector;
        }
    }
}
