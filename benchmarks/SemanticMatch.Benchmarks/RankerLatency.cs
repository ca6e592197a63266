using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// <c>ranker-latency RANKER_DIR...</c>: the full pipeline's latency over the whole Home Depot catalogue with the models
/// each ranker records (use int8 ones), one query at a time after warm-up, measured side by side in one run: hybrid
/// alone, then for each ranker hybrid + its cross-encoder re-ranking the ranker's depth, and hybrid + the learned ranker
/// (which scores the same candidates with the cross-encoder, then computes features and runs the trees). The rankers
/// must share their bi-encoder (one index serves them all); they may differ in cross-encoder (e.g. pruned ones).
/// </summary>
internal static class RankerLatency
{
    public static async Task RunAsync(IReadOnlyList<string> rankerDirectories)
    {
        var rankers = rankerDirectories.Select(RankerDirectory.Open).ToList();
        var biEncoder = rankers[0].Manifest.BiEncoder.Model;
        if (rankers.Any(r => r.Manifest.BiEncoder.Model != biEncoder))
        {
            throw new InvalidOperationException($"the rankers read different bi-encoders; one index serves them all: give rankers trained over {biEncoder}");
        }

        var products = Data.Products();
        var queries = Data.DevQueries();
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(biEncoder));
        using var index = SearchLatency.Build(products, encoder, new CatalogueIndexOptions());
        var hybrid = new SearchOptions();
        var rows = new List<(string Name, Core.Metrics.LatencyStats Stats)>
        {
            ("hybrid (first stage)", await SearchLatency.MeasureAsync(queries.Count, i => index.SearchAsync(queries[i], hybrid))),
        };
        foreach (var (ranker, directory) in rankers.Zip(rankerDirectories))
        {
            using var crossEncoder = ranker.CrossEncoder is { } ce ? OnnxCrossEncoder.Create(BundledModels.Resolve(ce)) : null;
            if (crossEncoder is not null)
            {
                rows.Add(($"hybrid + cross-encoder {ranker.CrossEncoder} re-ranking top {ranker.Depth}",
                    await SearchLatency.MeasureAsync(queries.Count, i => index.SearchAsync(queries[i], hybrid with { Reranker = crossEncoder, RerankDepth = ranker.Depth }))));
            }

            rows.Add(($"hybrid + learned ranker {directory} over top {ranker.Depth} (full pipeline)",
                await SearchLatency.MeasureAsync(queries.Count, i => index.SearchAsync(queries[i], hybrid with { Reranker = crossEncoder, Ranker = ranker }))));
        }

        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"catalogue: {products.Count} products, {queries.Count} dev queries, top 10, one query at a time, after 200 warm-up queries per row");
        Console.WriteLine($"bi-encoder {biEncoder}");
        Console.WriteLine();
        Console.WriteLine("| pipeline | p50 ms | p95 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, stats) in rows)
        {
            Console.WriteLine($"| {name} | {stats.P50Ms:F2} | {stats.P95Ms:F2} | {stats.P99Ms:F2} |");
        }
    }
}
