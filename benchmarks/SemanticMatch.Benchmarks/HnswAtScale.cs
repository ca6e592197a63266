using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Exact scan versus HNSW over 1,000,000 vectors: the 54,667 real Home Depot title embeddings (MiniLM int8) plus
/// generated vectors with the same distribution; queries are real dev-query embeddings. Reports build time, memory,
/// recall@10 against the exact scan, and queries/s, side by side.
/// </summary>
internal static class HnswAtScale
{
    private const int Total = 1_000_000;
    private const int Queries = 500;
    private const int Seed = 7;

    public static void Run(int total = Total)
    {
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve("minilm-int8"));
        var products = Data.Products();
        Console.Error.WriteLine($"embedding {products.Count} titles and {Queries} queries ...");
        var real = encoder.Encode(products.Select(ProductText.Default.Of).ToList(), TextRole.Document);
        var queries = encoder.Encode(Data.DevQueries().Take(Queries).ToList(), TextRole.Query);
        var vectors = Generate(real, total);
        var ids = Enumerable.Range(0, vectors.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Console.Error.WriteLine($"exact index over {vectors.Count} vectors ...");
        using var exact = new ExactVectorIndex(encoder.Dimension, SimilarityMetric.Cosine);
        for (var i = 0; i < vectors.Count; i++)
        {
            exact.Add(ids[i], vectors[i]);
        }

        var (truth, exactQps) = SearchAll(exact, queries);
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"vectors: {vectors.Count} x {encoder.Dimension} ({real.Length} real MiniLM-int8 title embeddings + generated), {Queries} real dev queries, top 10, one query at a time");
        Console.WriteLine();
        Console.WriteLine("| index | build s | memory MB | ef_search | recall@10 | queries/s | speed-up vs exact |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine($"| exact scan | - | {vectors.Count * encoder.Dimension * 4 / 1e6:F0} | - | 1.000 | {exactQps:F1} | 1.0x |");
        foreach (var storage in new[] { VectorStorage.F32, VectorStorage.I8 })
        {
            GC.Collect();
            var before = Process.GetCurrentProcess().WorkingSet64;
            var stopwatch = Stopwatch.StartNew();
            using var hnsw = new HnswVectorIndex(encoder.Dimension, SimilarityMetric.Cosine,
                new HnswOptions { M = 16, EfConstruction = 128, EfSearch = 64, Storage = storage });
            hnsw.AddRange(ids, vectors);
            var buildSeconds = stopwatch.Elapsed.TotalSeconds;
            var memory = (Process.GetCurrentProcess().WorkingSet64 - before) / 1e6;
            foreach (var ef in new[] { 32, 64, 128, 256 })
            {
                hnsw.SetEfSearch(ef);
                var (found, qps) = SearchAll(hnsw, queries);
                var recall = found.Select((hits, q) => hits.Intersect(truth[q]).Count() / 10.0).Average();
                Console.WriteLine($"| HNSW {storage.ToString().ToLowerInvariant()} M=16 ef_construction=128 | {buildSeconds:F0} | {memory:F0} | {ef} | {recall:F3} | {qps:F0} | {qps / exactQps:F0}x |");
            }
        }
    }

    // Each generated vector mixes two random real embeddings and adds Gaussian noise scaled to the real per-dimension
    // spread, then is L2-normalised: it lies in the same region of the sphere as real titles.
    private static List<float[]> Generate(float[][] real, int total)
    {
        var random = new Random(Seed);
        var dimension = real[0].Length;
        var std = Enumerable.Range(0, dimension).Select(d =>
        {
            var mean = real.Average(v => v[d]);
            return (float)Math.Sqrt(real.Average(v => (v[d] - mean) * (v[d] - mean)));
        }).ToArray();
        var vectors = new List<float[]>(total);
        vectors.AddRange(real);
        while (vectors.Count < total)
        {
            var a = real[random.Next(real.Length)];
            var b = real[random.Next(real.Length)];
            var mix = 0.5f + 0.5f * random.NextSingle();
            var v = new float[dimension];
            for (var d = 0; d < dimension; d++)
            {
                v[d] = mix * a[d] + (1 - mix) * b[d] + 0.5f * std[d] * Gaussian(random);
            }

            VectorSimilarity.Normalize(v);
            vectors.Add(v);
        }

        return vectors;
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static (List<HashSet<string>> Found, double Qps) SearchAll(IVectorIndex index, float[][] queries)
    {
        index.Search(queries[0], 10);
        var found = new List<HashSet<string>>(queries.Length);
        var stopwatch = Stopwatch.StartNew();
        foreach (var query in queries)
        {
            found.Add(index.Search(query, 10).Select(h => h.ProductId).ToHashSet());
        }

        return (found, queries.Length / stopwatch.Elapsed.TotalSeconds);
    }
}
