using System.Globalization;
using nietras.SeparatedValues;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine;
using SemanticMatch.Benchmarks.Evaluations;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The applications evaluated on real data (not a speed benchmark): similar products and ad thresholds on Home Depot
/// dev, FAQ matching on BANKING77. Prints markdown and writes the curves as PNGs into docs/results/applications/.
/// </summary>
internal static class Applications
{
    private const int Seed = 20261127;
    private const double Relevant = 2.5;

    /// <summary>"apps [MODEL]": all three; "apps faq MODEL": the FAQ only; "apps faq-data DIR": FAQ training files.</summary>
    public static void Run(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "faq":
                Faq(args.Length > 1 ? args[1] : "minilm", Path.Combine("docs", "results", "applications"));
                break;
            case "faq-data":
                WriteFaqTrainingData(args.Length > 1 ? args[1] : "banking77-train");
                break;
            default:
                All(args.FirstOrDefault() ?? "minilm");
                break;
        }
    }

    private static void All(string model)
    {
        var output = Path.Combine("docs", "results", "applications");
        Directory.CreateDirectory(output);
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(model));
        var products = Data.Products();
        var dev = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "dev.csv")).Items;
        Console.WriteLine($"# Applications ({model}, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores)\n");

        Console.WriteLine("## Similar products (Home Depot dev: products relevant to the same query should be neighbours)\n");
        Console.WriteLine("| neighbours from | Recall@10 of co-relevant products | products |\n|---|---|---|");
        foreach (var r in SimilarProductsEvaluation.Run(products, dev, encoder, model, ProductText.Default, Relevant, Seed))
        {
            Console.WriteLine(FormattableString.Invariant($"| {r.Method} | {r.RecallAt10:F4} | {r.Products} |"));
        }

        Console.WriteLine("\n## Ad threshold (Home Depot dev: products as ads, a pair is relevant at relevance >= 2.5)\n");
        var scored = AdThresholdEvaluation.Score(products, dev, encoder, ProductText.Default, Relevant);
        var curve = AdThresholdEvaluation.Curve(scored);
        Console.WriteLine(FormattableString.Invariant($"{scored.Count} judged pairs, {scored.Count(s => s.Relevant) / (double)scored.Count:P1} relevant (the precision of showing every ad).\n"));
        Console.WriteLine("| wanted precision | threshold (cosine) | precision | recall |\n|---|---|---|---|");
        foreach (var wanted in new[] { 0.75, 0.8, 0.85, 0.9 })
        {
            Console.WriteLine(AdThresholdEvaluation.ThresholdFor(curve, wanted) is { } p
                ? FormattableString.Invariant($"| {wanted:F2} | {p.Threshold:F3} | {p.Precision:F3} | {p.Recall:F3} |")
                : FormattableString.Invariant($"| {wanted:F2} | none reaches it | | |"));
        }

        Plot(Path.Combine(output, "ad-precision-recall.png"), "Ad threshold: precision against recall (Home Depot dev)", "recall", "precision",
            curve.Select(p => p.Recall).ToArray(), curve.Select(p => p.Precision).ToArray());

        Faq(model, output);
        Console.WriteLine($"\nPlots: {output}/ad-precision-recall.png and the FAQ curve");
    }

    private static void Faq(string model, string output)
    {
        Directory.CreateDirectory(output);
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(model));
        var label = Path.GetFileName(Path.TrimEndingDirectorySeparator(model));
        Console.WriteLine("\n## FAQ matching (BANKING77: 77 intents; 20% of each intent's questions held out as dev, seed 20261127)\n");
        var questions = ReadBanking77(Path.Combine(Path.GetDirectoryName(Data.HomeDepot())!, "banking77", "train.csv"));
        var (known, held) = FaqEvaluation.Split(questions, 0.2, Seed);
        var faq = FaqEvaluation.Run(known, held, encoder, label);
        Console.WriteLine($"{faq.Entries} entries, {faq.KnownPhrasings} known phrasings, {faq.DevQuestions} dev questions.\n");
        Console.WriteLine("| method | top-entry accuracy |\n|---|---|");
        foreach (var r in faq.Results)
        {
            Console.WriteLine(FormattableString.Invariant($"| {r.Method} | {r.Accuracy:F4} |"));
        }

        Console.WriteLine("\n| answered (coverage) | accuracy of the answers | \"no good match\" below |\n|---|---|---|");
        foreach (var coverage in new[] { 1.0, 0.9, 0.8, 0.7, 0.5 })
        {
            var point = faq.Curve.Where(p => p.Coverage <= coverage + 1e-9).MaxBy(p => p.Coverage)!;
            Console.WriteLine(FormattableString.Invariant($"| {point.Coverage:P0} | {point.Accuracy:F4} | {point.Threshold:F3} |"));
        }

        Plot(Path.Combine(output, $"faq-accuracy-coverage-{label}.png"), "FAQ: accuracy against coverage of the no-good-match threshold (BANKING77)",
            "coverage (share of questions answered)", "accuracy of the answers",
            faq.Curve.Select(p => p.Coverage).ToArray(), faq.Curve.Select(p => p.Accuracy).ToArray());
        Console.WriteLine($"\nCurve: {output}/faq-accuracy-coverage-{label}.png");

    }

    /// <summary>
    /// Writes the FAQ fine-tuning files from the known phrasings only (the held-out dev questions stay unseen):
    /// products.csv (one row per phrasing), train.csv (each phrasing paired with another of its intent, relevance 3) and
    /// dev.csv (100 phrasings, each with one phrasing of its intent and four of others, for the trainer's dev NDCG).
    /// </summary>
    private static void WriteFaqTrainingData(string directory)
    {
        Directory.CreateDirectory(directory);
        var questions = ReadBanking77(Path.Combine(Path.GetDirectoryName(Data.HomeDepot())!, "banking77", "train.csv"));
        var (known, _) = FaqEvaluation.Split(questions, 0.2, Seed);
        var random = new Random(Seed);
        var ids = known.Select((q, i) => $"q{i}").ToList();
        var byIntent = known.Select((q, i) => (q.Intent, Id: ids[i])).GroupBy(x => x.Intent, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Id).ToList(), StringComparer.Ordinal);
        static string Csv(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        File.WriteAllLines(Path.Combine(directory, "products.csv"),
            known.Select((q, i) => $"{ids[i]},{Csv(q.Text)}").Prepend("product_id,title"));
        var devQueries = Enumerable.Range(0, known.Count).OrderBy(_ => random.Next()).Take(100).ToHashSet();
        var train = new List<string> { "query,product_id,relevance" };
        var dev = new List<string> { "query,product_id,relevance" };
        for (var i = 0; i < known.Count; i++)
        {
            var partners = byIntent[known[i].Intent].Where(id => id != ids[i]).ToList();
            var partner = partners[random.Next(partners.Count)];
            if (!devQueries.Contains(i))
            {
                train.Add($"{Csv(known[i].Text)},{partner},3");
                continue;
            }

            dev.Add($"{Csv(known[i].Text)},{partner},3");
            foreach (var other in byIntent.Keys.Where(k => k != known[i].Intent).OrderBy(_ => random.Next()).Take(4))
            {
                dev.Add($"{Csv(known[i].Text)},{byIntent[other][random.Next(byIntent[other].Count)]},0");
            }
        }

        File.WriteAllLines(Path.Combine(directory, "train.csv"), train);
        File.WriteAllLines(Path.Combine(directory, "dev.csv"), dev);
        Console.WriteLine($"wrote {directory}: {known.Count} phrasings, {train.Count - 1} training pairs, {dev.Count - 1} dev pairs");
    }

    private static List<FaqQuestion> ReadBanking77(string path)
    {
        using var reader = Sep.Reader().FromFile(path);
        var questions = new List<FaqQuestion>();
        foreach (var row in reader)
        {
            questions.Add(new FaqQuestion(row["text"].ToString(), row["category"].ToString()));
        }

        return questions;
    }

    private static void Plot(string path, string title, string x, string y, double[] xs, double[] ys)
    {
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(xs, ys).MarkerSize = 0;
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.SavePng(path, 800, 500);
    }
}
