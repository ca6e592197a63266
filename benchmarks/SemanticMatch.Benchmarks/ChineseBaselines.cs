using System.Globalization;
using System.Text.Json;
using nietras.SeparatedValues;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine.Applications;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Baselines of the Chinese pair tasks, scored as CLUE scores them (accuracy, macro-F1, ROC-AUC of relevant vs not):
/// QBQTC (query-title, labels 0/1/2) and AFQMC (question pairs, 0/1), each split 80/20 with a fixed seed (we hold out
/// our own dev part; the sets' own dev/test splits are not ours). Majority class, character overlap, BM25 with SmartCn
/// word segmentation, and a zero-shot bi-encoder; cut points fitted on the 80 %. <c>chinese [MODEL]</c>.
/// </summary>
internal static class ChineseBaselines
{
    private const int Seed = 20261127;

    public static void Run(string model)
    {
        var data = Path.GetDirectoryName(Data.HomeDepot())!;
        var qbqtc = File.ReadLines(Path.Combine(data, "qbqtc", "train.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (A: e.GetProperty("query").GetString()!, B: e.GetProperty("title").GetString()!,
                Label: int.Parse(e.GetProperty("label").GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
        using var reader = Sep.Reader().FromFile(Path.Combine(data, "afqmc", "train.csv"));
        var afqmc = reader.Enumerate(row => (A: row["sentence1"].ToString(), B: row["sentence2"].ToString(), Label: row["label"].Parse<int>())).ToList();
        using var models = new ModelProvider();
        var encoder = models.Encoder(model);
        Console.WriteLine($"{MachineInfoLine()}; model {model}; seed {Seed}; 80/20 split");
        Report("QBQTC (query, title; 0 poor, 1 somewhat, 2 very relevant)", qbqtc, 3, 1, encoder);
        Report("AFQMC (question pairs; 1 = same meaning)", afqmc, 2, 1, encoder);
    }

    private static void Report(string name, List<(string A, string B, int Label)> pairs, int classes, int relevantFrom, ITextEncoder encoder)
    {
        var shuffled = pairs.OrderBy(_ => 0).ToList();
        new Random(Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        var cut = shuffled.Count * 4 / 5;
        var train = shuffled[..cut];
        var dev = shuffled[cut..];
        var normalizer = TextNormalizer.Default;

        // BM25 with SmartCn: every B text is a document; a pair's score is B's BM25 score for A.
        using var keyword = Bm25Index.CreateInMemory(TextLanguage.Zh);
        for (var i = 0; i < shuffled.Count; i++)
        {
            keyword.Upsert(i.ToString(CultureInfo.InvariantCulture), normalizer.Normalize(shuffled[i].B));
        }

        keyword.Commit();
        var bm25 = shuffled.Select((p, i) => (double)keyword.ScoreCandidates(normalizer.Normalize(p.A), [i.ToString(CultureInfo.InvariantCulture)]).Values.Single()).ToList();
        var jaccard = shuffled.Select(p => GradedPairClassification.CharacterJaccard(p.A, p.B)).ToList();
        var a = encoder.Encode(shuffled.Select(p => normalizer.Normalize(p.A)).ToList(), TextRole.Query);
        var b = encoder.Encode(shuffled.Select(p => normalizer.Normalize(p.B)).ToList(), TextRole.Document);
        var cosine = a.Select((v, i) => (double)VectorSimilarity.Cosine(v, b[i])).ToList();

        var trainLabels = train.Select(p => p.Label).ToList();
        var devLabels = dev.Select(p => p.Label).ToList();
        var results = new List<PairClassificationResult> { GradedPairClassification.Majority(trainLabels, devLabels, classes) };
        foreach (var (method, scores) in new[] { ("character overlap (Jaccard)", jaccard), ("BM25, SmartCn segmentation", bm25), ($"dense zero-shot ({encoder.Identity})", cosine) })
        {
            results.Add(GradedPairClassification.Evaluate(method, scores[..cut], trainLabels, scores[cut..], devLabels, classes, relevantFrom));
        }

        Console.WriteLine();
        Console.WriteLine($"### {name}: {train.Count} train, {dev.Count} dev pairs; dev labels {string.Join(", ", devLabels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
        Console.WriteLine();
        Console.WriteLine("| method | accuracy | macro-F1 | F1 of the top class | ROC-AUC (relevant vs not) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Method} | {r.Accuracy:F4} | {r.MacroF1:F4} | {r.PositiveF1:F4} | {(r.RocAuc is { } auc ? auc.ToString("F4", CultureInfo.InvariantCulture) : "-")} |"));
        }
    }

    private static string MachineInfoLine() => Engine.Evaluation.MachineInfo.Describe();
}
