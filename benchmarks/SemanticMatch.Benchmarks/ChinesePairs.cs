using System.Globalization;
using System.Text.Json;
using nietras.SeparatedValues;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Benchmarks.Evaluations;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The Chinese pair tasks scored as CLUE scores them (accuracy, macro-F1, ROC-AUC of relevant vs not): QBQTC
/// (query-title, labels 0/1/2) and AFQMC (question pairs, 0/1). Each set is shuffled with a fixed seed and split into
/// fit (70 %: what models train on), valid (10 %: early stopping, and every method's cut points) and dev (20 %: the
/// numbers reported). <c>chinese-files OUT</c> writes the splits; <c>chinese [MODEL | qbqtc=DIR | afqmc=DIR ...]</c>
/// scores the baselines (majority class, character overlap, BM25 with SmartCn) and each model (a bi-encoder by cosine,
/// a cross-encoder by its score; <c>task=DIR</c> scores a model on that task only).
/// </summary>
internal static class ChinesePairs
{
    private const int Seed = 20261127;

    private sealed record PairTask(string Key, string Title, List<(string A, string B, int Label, string Line)> Pairs, int Classes, int RelevantFrom)
    {
        public (List<(string A, string B, int Label, string Line)> Fit, List<(string A, string B, int Label, string Line)> Valid,
            List<(string A, string B, int Label, string Line)> Dev) Split()
        {
            var shuffled = Pairs.ToList();
            new Random(Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
            var dev = shuffled.Count * 4 / 5;
            var valid = dev * 7 / 8;
            return (shuffled[..valid], shuffled[valid..dev], shuffled[dev..]);
        }
    }

    public static void WriteFiles(string output)
    {
        foreach (var task in Tasks())
        {
            var directory = Path.Combine(output, task.Key);
            Directory.CreateDirectory(directory);
            var (fit, valid, dev) = task.Split();
            foreach (var (name, part) in new[] { ("fit", fit), ("valid", valid), ("dev", dev) })
            {
                if (task.Key == "qbqtc")
                {
                    File.WriteAllLines(Path.Combine(directory, name + ".jsonl"), part.Select(p => p.Line)); // as QBQTC ships them
                    // Our judgments format holds a (query, product) pair once: the first of a repeated pair is kept.
                    var once = part.DistinctBy(p => (p.A, p.B)).ToList();
                    WriteCsv(Path.Combine(directory, name + ".csv"), ["query", "product_id", "relevance"],
                        once.Select(p => new[] { p.A, JudgmentLayout.IdOf(p.B), p.Label.ToString(CultureInfo.InvariantCulture) }));
                    Console.WriteLine($"{name}.csv: {once.Count} pairs ({part.Count - once.Count} repeats of a pair left out; {name}.jsonl keeps them)");
                }
                else
                {
                    WriteCsv(Path.Combine(directory, name + ".csv"), ["sentence1", "sentence2", "label"],
                        part.Select(p => new[] { p.A, p.B, p.Label.ToString(CultureInfo.InvariantCulture) }));
                }
            }

            if (task.Key == "qbqtc")
            {
                WriteCsv(Path.Combine(directory, "products.csv"), ["product_id", "title"],
                    task.Pairs.Select(p => p.B).Distinct().Select(t => new[] { JudgmentLayout.IdOf(t), t }));
            }

            Console.WriteLine($"{directory}: fit {fit.Count}, valid {valid.Count}, dev {dev.Count} pairs");
        }
    }

    public static void Run(IReadOnlyList<string> models)
    {
        using var provider = new ModelProvider();
        Console.WriteLine($"{Engine.Evaluation.MachineInfo.Describe()}; seed {Seed}; fit 70 % / valid 10 % (cut points) / dev 20 % (reported)");
        foreach (var task in Tasks())
        {
            var scorers = models.Where(m => !m.Contains('=', StringComparison.Ordinal) || m.StartsWith(task.Key + "=", StringComparison.Ordinal))
                .Select(m => m.Contains('=', StringComparison.Ordinal) ? m[(m.IndexOf('=', StringComparison.Ordinal) + 1)..] : m)
                .Select(m => provider.Scorer(m))
                .ToList();
            Report(task, scorers);
        }
    }

    private static List<PairTask> Tasks()
    {
        var data = Path.GetDirectoryName(Data.HomeDepot())!;
        var qbqtc = File.ReadLines(Path.Combine(data, "qbqtc", "train.jsonl"))
            .Select(line => (Line: line, Json: JsonDocument.Parse(line).RootElement))
            .Select(x => (A: x.Json.GetProperty("query").GetString()!, B: x.Json.GetProperty("title").GetString()!,
                Label: int.Parse(x.Json.GetProperty("label").GetString()!, CultureInfo.InvariantCulture), x.Line))
            .ToList();
        using var reader = Sep.Reader().FromFile(Path.Combine(data, "afqmc", "train.csv"));
        var afqmc = reader.Enumerate(row => (A: row["sentence1"].ToString(), B: row["sentence2"].ToString(), Label: row["label"].Parse<int>(), Line: string.Empty)).ToList();
        return
        [
            new("qbqtc", "QBQTC (query, title; 0 poor, 1 somewhat, 2 very relevant)", qbqtc, 3, 1),
            new("afqmc", "AFQMC (question pairs; 1 = same meaning)", afqmc, 2, 1),
        ];
    }

    private static void Report(PairTask task, IReadOnlyList<IPairScorer> scorers)
    {
        var (fit, valid, dev) = task.Split();
        var scored = valid.Concat(dev).ToList();
        var normalizer = TextNormalizer.Default;

        // BM25 with SmartCn: every B text of the set is a document; a pair's score is B's BM25 score for A.
        using var keyword = Bm25Index.CreateInMemory(TextLanguage.Zh);
        var all = fit.Concat(scored).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            keyword.Upsert(i.ToString(CultureInfo.InvariantCulture), normalizer.Normalize(all[i].B));
        }

        keyword.Commit();
        var methods = new List<(string Name, List<double> Scores)>
        {
            ("character overlap (Jaccard)", scored.Select(p => GradedPairClassification.CharacterJaccard(p.A, p.B)).ToList()),
            ("BM25, SmartCn segmentation", scored.Select((p, i) => (double)keyword.ScoreCandidates(normalizer.Normalize(p.A),
                [(fit.Count + i).ToString(CultureInfo.InvariantCulture)]).Values.Single()).ToList()),
        };
        foreach (var scorer in scorers)
        {
            var scores = new List<double>();
            foreach (var group in scored.Select((p, i) => (p, i)).GroupBy(x => normalizer.Normalize(x.p.A)))
            {
                var values = scorer.Score(group.Key, group.Select(x => normalizer.Normalize(x.p.B)).ToList());
                scores.AddRange(values.Select(v => (double)v));
            }

            // Scores came out grouped by query: put them back in pair order.
            var order = scored.Select((p, i) => (p, i)).GroupBy(x => normalizer.Normalize(x.p.A)).SelectMany(g => g.Select(x => x.i)).ToList();
            var inOrder = new double[scored.Count];
            for (var k = 0; k < order.Count; k++)
            {
                inOrder[order[k]] = scores[k];
            }

            methods.Add((scorer.Identity, [.. inOrder]));
        }

        var validLabels = valid.Select(p => p.Label).ToList();
        var devLabels = dev.Select(p => p.Label).ToList();
        var majority = GradedPairClassification.Majority(fit.Select(p => p.Label).ToList(), devLabels, task.Classes);
        Console.WriteLine();
        Console.WriteLine($"### {task.Title}: fit {fit.Count}, valid {valid.Count}, dev {dev.Count} pairs; dev labels {string.Join(", ", devLabels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
        Console.WriteLine();
        Console.WriteLine("Cut points fitted on valid for macro-F1 (left) and, separately, for accuracy (right); ROC-AUC needs none.");
        Console.WriteLine();
        Console.WriteLine("| method | accuracy | macro-F1 | F1 of the top class | accuracy (accuracy cuts) | macro-F1 (accuracy cuts) | ROC-AUC (relevant vs not) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {majority.Method} | {majority.Accuracy:F4} | {majority.MacroF1:F4} | {majority.PositiveF1:F4} | {majority.Accuracy:F4} | {majority.MacroF1:F4} | - |"));
        foreach (var (name, scores) in methods)
        {
            var f1 = GradedPairClassification.Evaluate(name, scores[..valid.Count], validLabels, scores[valid.Count..], devLabels, task.Classes, task.RelevantFrom);
            var accuracy = GradedPairClassification.Evaluate(name, scores[..valid.Count], validLabels, scores[valid.Count..], devLabels, task.Classes,
                task.RelevantFrom, CutObjective.Accuracy);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {f1.Accuracy:F4} | {f1.MacroF1:F4} | {f1.PositiveF1:F4} | {accuracy.Accuracy:F4} | {accuracy.MacroF1:F4} | {f1.RocAuc:F4} |"));
        }
    }

    internal static void WriteCsv(string path, string[] columns, IEnumerable<string[]> rows)
    {
        using var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(path);
        foreach (var values in rows)
        {
            using var row = writer.NewRow();
            for (var c = 0; c < columns.Length; c++)
            {
                row[columns[c]].Set(values[c]);
            }
        }
    }
}
