using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The PostgreSQL store on Home Depot beside the embedded store, in one run: bulk load, pgvector HNSW recall@10 against
/// exact search at two ef_search values, search latency, and hybrid retrieval quality on dev through each store.
/// Needs a PostgreSQL with pgvector (scripts/pglite-server.sh serves PGlite): <c>postgres CONNECTION [MODEL]</c>, then
/// <c>postgres-keyword CONNECTION</c> over the collection it loaded; <c>postgres-ranker CONNECTION RANKER_DIR</c> loads its own.
/// </summary>
internal static class PostgresStoreBenchmark
{
    private const string Collection = "homedepot";
    private const int RecallQueries = 500;

    public static async Task RunAsync(string connectionString, string model)
    {
        var products = Data.Products();
        var judgments = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "dev.csv")).Items;
        var queries = judgments.GroupBy(j => j.Query).Select(g => (Query: g.Key, Judged: g.ToDictionary(j => j.ProductId, j => j.Relevance))).ToList();
        using var inner = new ModelProvider(options: new Onnx.Encoding.EncoderOptions { Threads = 2 });
        var models = new CachingModels(inner);
        var records = products.Select(Record.FromProduct).ToList();
        var settings = new CollectionSettings { Model = model, VectorIndex = VectorIndexKind.Hnsw };
        Console.WriteLine($"{products.Count} products, {queries.Count} dev queries, model {model}, {Engine.Evaluation.MachineInfo.Describe()}");

        var embedWatch = Stopwatch.StartNew();
        var vectors = models.Encoder(model).Encode(records.Select(r => new ProductText(settings.Fields, Core.Text.TextNormalizationOptions.Default).Of(r.ToProduct())).ToList(), TextRole.Document);
        Console.WriteLine($"embedding: {products.Count / embedWatch.Elapsed.TotalSeconds:F0} products/s (cached for both stores)");

        var data = Path.Combine(Path.GetTempPath(), "semmatch-pgbench-" + Guid.NewGuid().ToString("N"));
        await using var embedded = EmbeddedCollectionStore.Open(data, models);
        await using var postgres = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = connectionString });
        await postgres.DropAsync(Collection);
        var embeddedLoad = await LoadAsync(embedded, settings, records);
        var postgresLoad = await LoadAsync(postgres, settings, records);
        Console.WriteLine($"bulk load (embeddings cached, batches of 500): embedded {embeddedLoad:F0} records/s, postgres {postgresLoad:F0} records/s");

        // Recall@10 of pgvector's HNSW against the exact top 10 (same vectors, computed here).
        using var exact = new ExactVectorIndex(vectors[0].Length, SimilarityMetric.Cosine);
        for (var i = 0; i < records.Count; i++)
        {
            exact.Add(records[i].Id, vectors[i]);
        }

        var sample = queries.Take(RecallQueries).Select(q => q.Query).ToList();
        foreach (var ef in new[] { 40, 200 })
        {
            await using var store = await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions { ConnectionString = connectionString, EfSearch = ef });
            double recall = 0;
            var millis = new List<double>();
            foreach (var query in sample)
            {
                var truth = exact.Search(models.Encoder(model).EncodeOne(ProductText.Default.OfQuery(query), TextRole.Query), 10).Select(h => h.ProductId).ToHashSet();
                var watch = Stopwatch.StartNew();
                var found = (await store.SearchAsync(Collection, new CollectionQuery { Query = query, Method = SearchMethod.Dense, SpellCorrection = false })).Hits;
                millis.Add(watch.Elapsed.TotalMilliseconds);
                recall += found.Count(h => truth.Contains(h.Record.Id)) / 10.0;
            }

            var latency = LatencyStats.From(millis);
            Console.WriteLine(Invariant($"pgvector hnsw ef_search {ef}: recall@10 vs exact {recall / sample.Count:F4} over {sample.Count} queries; dense search p50 {latency.P50Ms:F1} ms, p99 {latency.P99Ms:F1} ms"));
        }

        foreach (var (name, store) in new (string, ICollectionStore)[] { ("embedded", embedded), ("postgres", postgres) })
        {
            var (ndcg, recall100, mrr, latency) = await QualityAsync(store, queries);
            Console.WriteLine(Invariant($"hybrid on dev through {name}: NDCG@10 {ndcg:F4}, Recall@100 {recall100:F4}, MRR@10 {mrr:F4}; search p50 {latency.P50Ms:F1} ms, p99 {latency.P99Ms:F1} ms"));
        }

        await embedded.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// Keyword ranking alone on dev, over the collection the main run loaded: Lucene BM25 (the embedded store's index)
    /// against BM25 computed in SQL and ts_rank_cd.
    /// </summary>
    public static async Task RunKeywordAsync(string connectionString)
    {
        var products = Data.Products();
        var judgments = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "dev.csv")).Items;
        var queries = judgments.GroupBy(j => j.Query).Select(g => (Query: g.Key, Judged: g.ToDictionary(j => j.ProductId, j => j.Relevance))).ToList();
        using var models = new ModelProvider();
        var data = Path.Combine(Path.GetTempPath(), "semmatch-pgbench-" + Guid.NewGuid().ToString("N"));
        await using (var embedded = EmbeddedCollectionStore.Open(data, new CachingModels(models)))
        {
            await LoadAsync(embedded, new CollectionSettings { Model = "minilm-int8" }, products.Select(Record.FromProduct).ToList());
            Report("Lucene BM25 (embedded store)", await QualityAsync(embedded, queries, SearchMethod.Bm25));
        }

        Directory.Delete(data, recursive: true);
        foreach (var ranking in new[] { KeywordRanking.Bm25, KeywordRanking.TsRankCd })
        {
            await using var postgres = await PostgresCollectionStore.OpenAsync(models,
                new PostgresStoreOptions { ConnectionString = connectionString, KeywordRanking = ranking });
            Report($"{ranking} in SQL (postgres store)", await QualityAsync(postgres, queries, SearchMethod.Bm25));
        }

        static void Report(string name, (double Ndcg, double Recall, double Mrr, LatencyStats Latency) q) =>
            Console.WriteLine(Invariant($"keyword on dev, {name}: NDCG@10 {q.Ndcg:F4}, Recall@100 {q.Recall:F4}, MRR@10 {q.Mrr:F4}; p50 {q.Latency.P50Ms:F1} ms, p99 {q.Latency.P99Ms:F1} ms"));
    }

    /// <summary>
    /// The learned ranker through each store on dev (hybrid + ranker, as the service runs it): the same ranker reads
    /// Lucene BM25 in the embedded store and BM25 in SQL in the PostgreSQL one. Loads its own collection in both.
    /// </summary>
    public static async Task RunRankerAsync(string connectionString, string rankerDirectory)
    {
        var products = Data.Products();
        var judgments = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "dev.csv")).Items;
        var queries = judgments.GroupBy(j => j.Query).Select(g => (Query: g.Key, Judged: g.ToDictionary(j => j.ProductId, j => j.Relevance))).ToList();
        var manifest = Ranking.RankerDirectory.ReadManifest(rankerDirectory);
        using var inner = new ModelProvider(options: new Onnx.Encoding.EncoderOptions { Threads = 2 });
        var models = new CachingModels(inner);
        var settings = new CollectionSettings
        {
            Model = manifest.BiEncoder.Model,
            Reranker = manifest.CrossEncoder?.Model,
            Ranker = Path.GetFullPath(rankerDirectory),
        };
        var rankers = new Ranking.RankerProvider();
        var records = products.Select(Record.FromProduct).ToList();
        Console.WriteLine($"{products.Count} products, {queries.Count} dev queries, ranker {rankerDirectory} (bi-encoder {settings.Model}, cross-encoder {settings.Reranker ?? "none"}), {Engine.Evaluation.MachineInfo.Describe()}");

        var data = Path.Combine(Path.GetTempPath(), "semmatch-pgbench-" + Guid.NewGuid().ToString("N"));
        await using var embedded = EmbeddedCollectionStore.Open(data, models, new CollectionOptions { Rankers = rankers.Open });
        await using var postgres = await PostgresCollectionStore.OpenAsync(models,
            new PostgresStoreOptions { ConnectionString = connectionString, Rankers = rankers.Open });
        var top10 = new Dictionary<string, List<IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var (name, store) in new (string, ICollectionStore)[] { ("embedded", embedded), ("postgres", postgres) })
        {
            await store.DropAsync(Collection);
            await LoadAsync(store, settings, records);
            var tops = new List<IReadOnlyList<string>>();
            var (ndcg, recall100, mrr, latency) = await QualityAsync(store, queries, SearchMethod.Hybrid, tops);
            top10[name] = tops;
            Console.WriteLine(Invariant($"hybrid + ranker on dev through {name}: NDCG@10 {ndcg:F4}, Recall@100 {recall100:F4}, MRR@10 {mrr:F4}; search p50 {latency.P50Ms:F1} ms, p99 {latency.P99Ms:F1} ms"));
        }

        var same = top10["embedded"].Zip(top10["postgres"]).Count(p => p.First.SequenceEqual(p.Second));
        var overlap = top10["embedded"].Zip(top10["postgres"]).Average(p => p.First.Intersect(p.Second).Count() / (double)Math.Max(1, p.First.Count));
        Console.WriteLine(Invariant($"top 10 identical in both stores for {same} of {queries.Count} queries; mean overlap {overlap:F3}"));
        await postgres.DropAsync(Collection);
        await embedded.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    private static async Task<double> LoadAsync(ICollectionStore store, CollectionSettings settings, List<Record> records)
    {
        await store.CreateAsync(Collection, settings);
        var watch = Stopwatch.StartNew();
        foreach (var batch in records.Chunk(500))
        {
            await store.UpsertAsync(Collection, batch);
        }

        return records.Count / watch.Elapsed.TotalSeconds;
    }

    // Retrieval quality of a method (hybrid unless told; top 100, no spelling correction: the PostgreSQL store has none) on dev:
    // NDCG@10 of the judged candidates in the store's order (those not retrieved last), Recall@100 and MRR@10 of the
    // relevant ones (relevance >= 2.5), as eval defines them.
    private static async Task<(double Ndcg, double Recall, double Mrr, LatencyStats Latency)> QualityAsync(ICollectionStore store,
        List<(string Query, Dictionary<string, double> Judged)> queries, SearchMethod method = SearchMethod.Hybrid, List<IReadOnlyList<string>>? top10 = null)
    {
        double ndcg = 0, recall = 0, mrr = 0;
        int ranked = 0, withRelevant = 0;
        var millis = new List<double>();
        foreach (var (query, judged) in queries)
        {
            var watch = Stopwatch.StartNew();
            var hits = (await store.SearchAsync(Collection, new CollectionQuery { Query = query, Method = method, Top = 100, SpellCorrection = false })).Hits;
            millis.Add(watch.Elapsed.TotalMilliseconds);
            var ids = hits.Select(h => h.Record.Id).ToList();
            top10?.Add(ids.Take(10).ToList());
            var rank = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            if (RankingMetrics.NdcgAtK(judged.Select(j => new ScoredCandidate(j.Key, rank.TryGetValue(j.Key, out var r) ? 1000 - r : -1, j.Value)).ToList(), 10, 1) is { } n)
            {
                ndcg += n;
                ranked++;
            }

            var relevant = judged.Where(j => j.Value >= 2.5).Select(j => j.Key).ToHashSet();
            if (relevant.Count > 0)
            {
                recall += RankingMetrics.RecallAtK(ids, relevant, 100);
                mrr += RankingMetrics.ReciprocalRankAtK(ids, relevant, 10);
                withRelevant++;
            }
        }

        return (ndcg / ranked, recall / withRelevant, mrr / withRelevant, LatencyStats.From(millis));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Embeds each document text once for both stores (queries are embedded as they come).</summary>
    private sealed class CachingModels(IModelProvider inner) : IModelProvider
    {
        private readonly ConcurrentDictionary<string, ITextEncoder> _encoders = new(StringComparer.Ordinal);

        public ITextEncoder Encoder(string model) => _encoders.GetOrAdd(model, m => new CachingEncoder(inner.Encoder(m)));

        public IPairScorer Reranker(string model) => inner.Reranker(model);

        public IPairScorer Scorer(string model, Core.Similarity.SimilarityMetric similarity = Core.Similarity.SimilarityMetric.Cosine) => inner.Scorer(model, similarity);

        public void Dispose()
        {
        }
    }
}

/// <summary>An encoder that remembers document embeddings by text, so two stores loading one catalogue embed it once.</summary>
internal sealed class CachingEncoder(ITextEncoder inner) : ITextEncoder
{
    private readonly ConcurrentDictionary<string, float[]> _documents = new(StringComparer.Ordinal);

    public int Dimension => inner.Dimension;

    public string Identity => inner.Identity;

    public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (role != TextRole.Document)
        {
            return inner.Encode(texts, role, progress, cancellationToken);
        }

        var missing = texts.Where(t => !_documents.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            var encoded = inner.Encode(missing, role, progress, cancellationToken);
            for (var i = 0; i < missing.Count; i++)
            {
                _documents[missing[i]] = encoded[i];
            }
        }

        return texts.Select(t => _documents[t]).ToArray();
    }
}
