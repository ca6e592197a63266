using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.Fitting;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Training speed on Home Depot train pairs, side by side in one run: median pairs/s of steps (batch 32) for the
/// bi-encoder (MNRL) with full fine-tuning, embeddings + bottom 3 layers frozen, and LoRA rank 8, and for the
/// cross-encoder (graded), with the projected time of one epoch.
/// </summary>
internal static class TrainingThroughput
{
    private const int Pairs = 1280; // 40 steps of 32

    public static void Run()
    {
        var root = Data.HomeDepot();
        var products = Data.Products();
        var judgments = JudgmentReader.Read(Path.Combine(root, "train.csv")).Items;
        var model = BundledModels.Resolve("minilm");
        var tokenizer = WordPieceTokenizer.Load(model.VocabPath, lowerCase: true);
        var text = products.ToDictionary(p => p.Id, ProductText.Default.Of, StringComparer.Ordinal);
        var positives = judgments.Count(j => j.Relevance >= 2.5);
        var sample = judgments.Where(j => j.Relevance >= 2.5).Take(Pairs).ToList();
        var dev = TrainingData.Tokenize(sample.Take(8).ToList(), text, ProductText.Default.OfQuery, tokenizer, string.Empty, new TrainingOptions())
            .Select(p => new DevQuery(p.QueryTokens, [(p.ProductId, p.ProductTokens, 3.0), ("other", p.QueryTokens, 1.0)]))
            .ToList();

        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"batch 32, {sample.Count} Home Depot train positives (products <= 64 tokens, queries <= 32), AdamW, one epoch each");
        Console.WriteLine();
        Console.WriteLine("| setting | pairs/s | projected epoch over all positives (mnrl) | projected epoch over all pairs (bce, cosent, cross) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, options) in new (string, TrainingOptions)[]
        {
            ("bi-encoder MNRL, full fine-tuning", new TrainingOptions()),
            ("bi-encoder MNRL, embeddings + bottom 3 layers frozen", new TrainingOptions { FreezeLayers = 3 }),
            ("bi-encoder MNRL, LoRA rank 8 on query/key/value", new TrainingOptions { LoraRank = 8 }),
            ("cross-encoder graded, full fine-tuning", new TrainingOptions { Objective = Objective.CrossGraded }),
        })
        {
            var pairs = TrainingData.Tokenize(sample, text, ProductText.Default.OfQuery, tokenizer, string.Empty, options);
            using var trainable = FineTuner.LoadModel(model, options, relevanceRange: (1, 3));
            var observer = new StepRates();
            new FineTuner(options with { Patience = 1 }, observer).Fit(trainable, pairs, dev);
            var rate = observer.Median;
            Console.WriteLine($"| {name} | {rate:F0} | {positives / rate / 60:F0} min | {judgments.Count / rate / 60:F0} min |");
        }
    }

    // Median pairs/s of the training steps (dev evaluation excluded), skipping the first two steps as warm-up.
    private sealed class StepRates : ITrainingObserver
    {
        private readonly List<double> _rates = [];

        public double Median => _rates.Skip(2).Order().ElementAt((_rates.Count - 2) / 2);

        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            if (e.PairsPerSecond is { } rate)
            {
                _rates.Add(rate);
            }
        }
    }
}
