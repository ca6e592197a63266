using System.Globalization;
using nietras.SeparatedValues;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Applications;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The applications evaluated on real data (not a speed benchmark): similar products and ad thresholds on Home Depot
/// dev, FAQ matching on BANKING77. Prints markdown and writes the curves as PNGs into docs/results/applications/.
/// </summary>
internal static class Applications
{
    private const int Seed = 20261127;
    private const double Relevant = 2.5;

    public static void Run(string model)
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

        Console.WriteLine("\n## FAQ matching (BANKING77: 77 intents; 20% of each intent's questions held out as dev, seed 20261127)\n");
        var questions = ReadBanking77(Path.Combine(Path.GetDirectoryName(Data.HomeDepot())!, "banking77", "train.csv"));
        var (known, held) = FaqEvaluation.Split(questions, 0.2, Seed);
        var faq = FaqEvaluation.Run(known, held, encoder, model);
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

        Plot(Path.Combine(output, "faq-accuracy-coverage.png"), "FAQ: accuracy against coverage of the no-good-match threshold (BANKING77)",
            "coverage (share of questions answered)", "accuracy of the answers",
            faq.Curve.Select(p => p.Coverage).ToArray(), faq.Curve.Select(p => p.Accuracy).ToArray());
        Console.WriteLine($"\nPlots: {output}/ad-precision-recall.png, {output}/faq-accuracy-coverage.png");
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
