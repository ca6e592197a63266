using System.Diagnostics;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Where a bulk write's time goes in the embedded store, side by side in one process with the server's encoder
/// settings: encoding alone, upserts into an exact-index collection, into an HNSW one, and a model generation built
/// over the HNSW one (the same records re-embedded), all in batches of 256. The Home Depot titles, as the service
/// benchmarks load them.
/// </summary>
internal static class BulkWrite
{
    private const int Batch = 256;

    public static async Task RunAsync(int count)
    {
        var records = Data.Products().Take(count).Select(p => Record.FromProduct(p with { Fields = new Dictionary<string, string>() })).ToList();
        var texts = records.Select(r => ProductText.Default.Of(r.ToProduct())).ToList();
        using var models = new ModelProvider(options: new EncoderOptions { Threads = 1, AllowSpinning = false, BatchParallelism = Environment.ProcessorCount });
        var data = Path.Combine(Path.GetTempPath(), "semmatch-bulk-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = EmbeddedCollectionStore.Open(data, models);
            var settings = new CollectionSettings { Model = "minilm-int8" };
            Console.WriteLine($"{records.Count} Home Depot titles, batches of {Batch}, {Engine.Evaluation.MachineInfo.Describe()}");

            using var sequential = new ModelProvider(options: new EncoderOptions { Threads = 1, AllowSpinning = false });
            using var cli = new ModelProvider();
            var rates = new List<(string, double)>
            {
                ("encode only", Encode(models)),
                ("encode only, one forward pass at a time (the server before)", Encode(sequential)),
                ("encode only, CLI settings (2 threads a pass, spinning)", Encode(cli)),
                ("encode only, CLI settings, all titles in one call", Encode(cli, records.Count)),
                ("upsert, exact index", await UpsertRateAsync(store, "exact", settings with { VectorIndex = VectorIndexKind.Exact }, records)),
                ("upsert, HNSW", await UpsertRateAsync(store, "hnsw", settings with { VectorIndex = VectorIndexKind.Hnsw }, records)),
            };
            var watch = Stopwatch.StartNew();
            await store.StartGenerationAsync("hnsw", settings with { VectorIndex = VectorIndexKind.Hnsw });
            while ((await store.DescribeAsync("hnsw")).Building is not null)
            {
                await Task.Delay(50);
            }

            rates.Add(("generation build, HNSW", records.Count / watch.Elapsed.TotalSeconds));
            Console.WriteLine("| step | records/s | x encode only |");
            Console.WriteLine("|---|---|---|");
            foreach (var (step, rate) in rates)
            {
                Console.WriteLine($"| {step} | {rate:F0} | {rate / rates[0].Item2:F2} |");
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        double Encode(IModelProvider provider, int perCall = Batch)
        {
            var encoder = provider.Encoder("minilm-int8");
            encoder.Encode(texts.Take(Batch).ToList(), TextRole.Document); // warm-up
            var watch = Stopwatch.StartNew();
            foreach (var batch in texts.Chunk(perCall))
            {
                encoder.Encode(batch, TextRole.Document);
            }

            return records.Count / watch.Elapsed.TotalSeconds;
        }
    }

    private static async Task<double> UpsertRateAsync(EmbeddedCollectionStore store, string name, CollectionSettings settings, List<Record> records)
    {
        await store.CreateAsync(name, settings);
        var watch = Stopwatch.StartNew();
        foreach (var batch in records.Chunk(Batch))
        {
            await store.UpsertAsync(name, batch);
        }

        return records.Count / watch.Elapsed.TotalSeconds;
    }
}
