using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Query latency over the whole Home Depot catalogue, single-threaded client, after warm-up, all steps measured in
/// one run: retrieval alone (query already embedded) for exact, HNSW and BM25, then end to end (normalise, spell-correct,
/// embed, retrieve, fuse) for dense and hybrid with the fp32 and the int8 encoder, plus index build times. Given a
/// cross-encoder directory, also hybrid + re-ranking the top 50 with it in fp32 and in int8 (quantized here).
/// </summary>
internal static class SearchLatency
{
    private const int RerankDepth = 50;

    public static async Task RunAsync(string? crossEncoder)
    {
        var products = Data.Products();
        var queries = Data.DevQueries();
        using var fp32 = OnnxEncoder.Create(BundledModels.Resolve("minilm"));
        using var int8 = OnnxEncoder.Create(BundledModels.Resolve("minilm-int8"));
        var stopwatch = Stopwatch.StartNew();
        using var index32 = Build(products, fp32, new CatalogueIndexOptions());
        var build32 = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        using var index8 = Build(products, int8, new CatalogueIndexOptions());
        var build8 = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        using var hnsw = Build(products, int8, new CatalogueIndexOptions { VectorIndex = VectorIndexKind.Hnsw });
        var buildHnsw = stopwatch.Elapsed.TotalSeconds;

        var prepared = queries.Select(q => index8.PrepareQuery(q, spellCorrection: true)).ToList();
        var vectors = int8.Encode(prepared, TextRole.Query);
        var rows = new List<(string Name, LatencyStats Stats)>
        {
            ("BM25 search (Lucene)", Measure(queries.Count, i => index8.Keyword.Search(prepared[i], 10))),
            ("exact vector search (query embedded)", Measure(queries.Count, i => index8.Vectors.Search(vectors[i], 10))),
            ("HNSW vector search (query embedded; M=16, ef=128)", Measure(queries.Count, i => hnsw.Vectors.Search(vectors[i], 10))),
            ("embed query, fp32", Measure(queries.Count, i => fp32.EncodeQuery(prepared[i]))),
            ("embed query, int8", Measure(queries.Count, i => int8.EncodeQuery(prepared[i]))),
            ("dense end to end, fp32", await MeasureAsync(queries.Count, i => index32.SearchAsync(queries[i], new SearchOptions { Method = SearchMethod.Dense }))),
            ("dense end to end, int8", await MeasureAsync(queries.Count, i => index8.SearchAsync(queries[i], new SearchOptions { Method = SearchMethod.Dense }))),
            ("hybrid end to end, fp32 (exact)", await MeasureAsync(queries.Count, i => index32.SearchAsync(queries[i], new SearchOptions()))),
            ("hybrid end to end, int8 (exact)", await MeasureAsync(queries.Count, i => index8.SearchAsync(queries[i], new SearchOptions()))),
            ("hybrid end to end, int8 (HNSW)", await MeasureAsync(queries.Count, i => hnsw.SearchAsync(queries[i], new SearchOptions()))),
        };
        if (crossEncoder is not null)
        {
            rows.AddRange(await RerankedAsync(crossEncoder, index8, queries));
        }

        var recall = queries.Select((_, i) => Overlap(index8.Vectors.Search(vectors[i], 10), hnsw.Vectors.Search(vectors[i], 10))).Average();

        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"catalogue: {products.Count} products, {queries.Count} dev queries, top 10, one query at a time, after 200 warm-up queries per row");
        Console.WriteLine($"index build (embed + BM25 + vectors): fp32 exact {build32:F0} s, int8 exact {build8:F0} s, int8 HNSW {buildHnsw:F0} s; HNSW recall@10 vs exact {recall:F3}");
        Console.WriteLine();
        Console.WriteLine("| step | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, stats) in rows)
        {
            Console.WriteLine($"| {name} | {stats.P50Ms:F2} | {stats.P95Ms:F2} | {stats.P99Ms:F2} |");
        }

        if (crossEncoder is null)
        {
            Console.WriteLine("(hybrid + cross-encoder rows: pass a cross-encoder directory, `search DIR`)");
        }
    }

    // Hybrid (int8 encoder, exact) + the cross-encoder re-scoring the top 50, with the given weights and an int8 copy.
    private static async Task<List<(string Name, LatencyStats Stats)>> RerankedAsync(string crossEncoder, CatalogueIndex index, IReadOnlyList<string> queries)
    {
        var fp32Model = ModelDirectory.Open(crossEncoder);
        var int8Path = Path.Combine(Path.GetTempPath(), "semmatch-bench-ce-int8-" + Guid.NewGuid().ToString("N"));
        try
        {
            Onnx.Quantization.Int8Quantizer.Quantize(fp32Model, int8Path);
            using var fp32 = OnnxCrossEncoder.Create(fp32Model);
            using var int8 = OnnxCrossEncoder.Create(ModelDirectory.Open(int8Path));
            return
            [
                ($"hybrid int8 + cross-encoder fp32 re-ranking top {RerankDepth}",
                    await MeasureAsync(queries.Count, i => index.SearchAsync(queries[i], new SearchOptions { Reranker = fp32, RerankDepth = RerankDepth }))),
                ($"hybrid int8 + cross-encoder int8 re-ranking top {RerankDepth}",
                    await MeasureAsync(queries.Count, i => index.SearchAsync(queries[i], new SearchOptions { Reranker = int8, RerankDepth = RerankDepth }))),
            ];
        }
        finally
        {
            Directory.Delete(int8Path, recursive: true);
        }
    }

    internal static CatalogueIndex Build(IReadOnlyList<Core.Catalogue.Product> products, OnnxEncoder encoder, CatalogueIndexOptions options)
    {
        Console.Error.WriteLine($"indexing {products.Count} products with {encoder.Model.Config.Name} ({options.VectorIndex}) ...");
        return CatalogueIndex.Build(products, CatalogueIndex.Embed(products, encoder, options.Text), encoder, options);
    }

    private static double Overlap(IReadOnlyList<SearchHit> exact, IReadOnlyList<SearchHit> approximate) =>
        exact.Select(h => h.ProductId).Intersect(approximate.Select(h => h.ProductId)).Count() / (double)exact.Count;

    internal static async Task<LatencyStats> MeasureAsync(int count, Func<int, Task> search)
    {
        for (var i = 0; i < Math.Min(count, 200); i++)
        {
            await search(i); // warm-up: let tiered JIT settle before timing
        }

        var millis = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await search(i);
            millis.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return LatencyStats.From(millis);
    }

    internal static LatencyStats Measure(int count, Action<int> search)
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
}
