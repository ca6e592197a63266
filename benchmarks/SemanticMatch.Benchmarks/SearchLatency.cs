using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Query latency over the whole Home Depot catalogue, single-threaded client, after warm-up: retrieval alone (query
/// already embedded) for exact, HNSW and BM25, then end to end (embed + retrieve + fuse) for dense and hybrid.
/// </summary>
internal static class SearchLatency
{
    public static void Run()
    {
        var products = Data.Products();
        var queries = Data.DevQueries();
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve("minilm"));
        Console.Error.WriteLine($"embedding {products.Count} titles ...");
        var embeddings = CatalogueIndex.Embed(products, encoder, ProductText.Default);
        using var index = CatalogueIndex.Build(products, embeddings, encoder, new CatalogueIndexOptions());
        using var hnsw = new HnswVectorIndex(encoder.Dimension, Core.Similarity.SimilarityMetric.Cosine);
        var build = Stopwatch.StartNew();
        for (var i = 0; i < products.Count; i++)
        {
            hnsw.Add(products[i].Id, embeddings[i]);
        }

        var hnswBuildSeconds = build.Elapsed.TotalSeconds;
        var prepared = queries.Select(q => index.PrepareQuery(q, spellCorrection: true)).ToList();
        var vectors = encoder.Encode(prepared, TextRole.Query);

        var exact = Measure(queries.Count, i => index.Vectors.Search(vectors[i], 10));
        var approximate = Measure(queries.Count, i => hnsw.Search(vectors[i], 10));
        var bm25 = Measure(queries.Count, i => index.Keyword.Search(prepared[i], 10));
        var dense = Measure(queries.Count, i => index.Search(queries[i], new SearchOptions { Method = SearchMethod.Dense }));
        var hybrid = Measure(queries.Count, i => index.Search(queries[i], new SearchOptions { Method = SearchMethod.Hybrid }));
        var recall = queries.Select((_, i) => HnswRecall(index.Vectors.Search(vectors[i], 10), hnsw.Search(vectors[i], 10))).Average();

        Console.WriteLine($"machine: {Engine.Evaluation.MachineInfo.Describe()}");
        Console.WriteLine($"catalogue: {products.Count} products, {queries.Count} dev queries, top 10");
        Console.WriteLine("| step | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|");
        Row("exact vector search (query embedded)", exact);
        Row($"HNSW search (M=16, ef=128; recall@10 vs exact {recall:F3}; build {hnswBuildSeconds:F1} s)", approximate);
        Row("BM25 search (Lucene)", bm25);
        Row("dense end to end (normalise, spell, embed, search)", dense);
        Row("hybrid end to end (normalise, spell, embed, BM25 + exact, fuse)", hybrid);
        Console.WriteLine($"exact / HNSW p50: {exact.P50Ms / approximate.P50Ms:F1}x");
    }

    private static double HnswRecall(IReadOnlyList<SearchHit> exact, IReadOnlyList<SearchHit> approximate) =>
        exact.Select(h => h.ProductId).Intersect(approximate.Select(h => h.ProductId)).Count() / (double)exact.Count;

    private static LatencyStats Measure(int count, Action<int> search)
    {
        for (var i = 0; i < Math.Min(count, 200); i++)
        {
            search(i); // warm-up: let tiered JIT settle before timing
        }

        var millis = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            search(i);
            millis.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return LatencyStats.From(millis);
    }

    private static void Row(string name, LatencyStats stats) =>
        Console.WriteLine($"| {name} | {stats.P50Ms:F2} | {stats.P95Ms:F2} | {stats.P99Ms:F2} |");
}
