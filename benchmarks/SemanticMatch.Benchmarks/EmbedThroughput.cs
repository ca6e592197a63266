using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Titles per second embedding the whole Home Depot catalogue (fp32 MiniLM), length-sorted batches of 32, against
/// the same encoder fed one title at a time (no batching) on a sample, measured in the same run.
/// </summary>
internal static class EmbedThroughput
{
    public static void Run()
    {
        var products = Data.Products();
        var titles = products.Select(ProductText.Default.Of).ToList();
        var model = BundledModels.Resolve("minilm");
        using var batched = OnnxEncoder.Create(model, new EncoderOptions { BatchSize = 32 });
        using var single = OnnxEncoder.Create(model, new EncoderOptions { BatchSize = 1 });
        batched.Encode(titles.Take(256).ToList(), TextRole.Document); // warm-up
        single.Encode(titles.Take(64).ToList(), TextRole.Document);

        var sample = titles.Where((_, i) => i % 27 == 0).ToList();
        var singleRate = Rate(single, sample);
        var batchedSampleRate = Rate(batched, sample);
        var fullRate = Rate(batched, titles);

        Console.WriteLine($"machine: {Engine.Evaluation.MachineInfo.Describe()}");
        Console.WriteLine($"model: {model.Config.Name} fp32, {Environment.ProcessorCount} intra-op threads");
        Console.WriteLine($"| run | titles | titles/s |");
        Console.WriteLine($"|---|---|---|");
        Console.WriteLine($"| one at a time (sample) | {sample.Count} | {singleRate:F0} |");
        Console.WriteLine($"| length-sorted batches of 32 (sample) | {sample.Count} | {batchedSampleRate:F0} |");
        Console.WriteLine($"| length-sorted batches of 32 (all titles) | {titles.Count} | {fullRate:F0} |");
        Console.WriteLine($"batched / one-at-a-time: {batchedSampleRate / singleRate:F2}x");
    }

    private static double Rate(OnnxEncoder encoder, List<string> texts)
    {
        var stopwatch = Stopwatch.StartNew();
        encoder.Encode(texts, TextRole.Document);
        return texts.Count / stopwatch.Elapsed.TotalSeconds;
    }
}
