using SemanticMatch.Core;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.CrossEncoding;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>
/// Seconds-long training of a 2-layer, 32-dimensional encoder on a synthetic task with a known answer: a query is two
/// tokens drawn from its product's eight, so the right product is the one sharing its tokens.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TinyTrainingTests
{
    private const int Seed = 11;
    private const int Vocabulary = 200;
    private static readonly BertConfig s_tiny = new()
    {
        VocabularySize = Vocabulary, Hidden = 32, Layers = 2, Heads = 2, Intermediate = 64, MaxPositions = 32, Dropout = 0.1,
    };

    [Theory]
    [InlineData(Objective.Mnrl)]
    [InlineData(Objective.Bce)]
    [InlineData(Objective.Cosent)]
    [InlineData(Objective.Listwise)]
    public void Fit_LossFalls_AndDevNdcgRises(Objective objective)
    {
        var (train, dev) = SyntheticTask();
        torch.manual_seed(Seed);
        using var model = BiEncoder(Options(objective));
        var losses = new List<double>();
        var trainer = new FineTuner(Options(objective), new Recorder(losses));

        var history = trainer.Fit(model, train, dev);

        var firstLosses = losses.Take(5).Average();
        var lastLosses = losses.TakeLast(5).Average();
        Assert.True(lastLosses < firstLosses, $"{objective}: loss {firstLosses:F3} -> {lastLosses:F3}");
        Assert.True(history.Max() > history[0] + 0.03, $"{objective}: dev NDCG@10 by epoch {string.Join(", ", history.Select(h => h.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Theory]
    [InlineData(Objective.Cross)]
    [InlineData(Objective.CrossGraded)]
    [InlineData(Objective.CrossRanked)]
    public void FitCrossEncoder_LossFalls_AndDevNdcgRises(Objective objective)
    {
        var (train, dev) = CategoryTask();
        // From random weights a cross-encoder sits on a loss plateau for ~100 steps before it finds the interaction.
        var options = Options(objective) with { Epochs = 10, Patience = 10, LearningRate = 2e-3 };
        torch.manual_seed(Seed);
        using var model = new CrossEncoderModel(new BertEncoder(s_tiny), options, (1, 3));
        var losses = new List<double>();

        var history = new FineTuner(options, new Recorder(losses)).Fit(model, train, dev);

        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average(), $"{objective}: loss {losses.Take(5).Average():F3} -> {losses.TakeLast(5).Average():F3}");
        Assert.True(history.Max() > history[0] + 0.1, $"{objective}: dev NDCG@10 by epoch {string.Join(", ", history)}");
    }

    [Fact]
    public void FitMaskedLanguageModel_PredictsMaskedTokensBetter()
    {
        // Texts where every token is followed by its successor: a masked token is predictable from its neighbours.
        var random = new Random(Seed);
        long[] Text() => [101, .. Enumerable.Range(random.Next(5, Vocabulary - 12), 8).Select(t => (long)t), 102];
        var train = Enumerable.Range(0, 160).Select(i => new TrainingPair($"q{i}", $"p{i}", Text(), Text(), 1)).ToList();
        var (_, dev) = SyntheticTask();
        var vocabulary = Enumerable.Range(0, Vocabulary).Select(i => i switch { 0 => "[PAD]", 101 => "[CLS]", 102 => "[SEP]", 103 => "[MASK]", _ => $"t{i}" }).ToList();
        var options = Options(Objective.Mlm) with { Epochs = 6, Patience = 6, LearningRate = 2e-3 };
        torch.manual_seed(Seed);
        using var model = new MaskedLanguageModel(new BertEncoder(s_tiny), Pooling.Mean, vocabulary, Seed);
        var losses = new List<double>();

        new FineTuner(options, new Recorder(losses)).Fit(model, train, dev);

        // Chance is ln(200) = 5.3; learning the successor rule brings the loss far below it.
        Assert.True(losses.TakeLast(10).Average() < losses.Take(10).Average() - 1.0,
            $"masked-token loss {losses.Take(10).Average():F3} -> {losses.TakeLast(10).Average():F3}");
    }

    [Fact]
    public void Fit_WithHardNegatives_LossFallsAndDevNdcgRises()
    {
        var (train, dev) = SyntheticTask();
        var random = new Random(Seed);
        var products = train.Select(p => p.ProductTokens).ToList();
        var withNegatives = train.Select(p => p.Relevance >= 2.5 ? p with { NegativeTokens = products[random.Next(products.Count)] } : p).ToList();
        var options = Options(Objective.Mnrl) with { HardNegatives = true };
        torch.manual_seed(Seed);
        using var model = BiEncoder(options);
        var losses = new List<double>();

        var history = new FineTuner(options, new Recorder(losses)).Fit(model, withNegatives, dev);

        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average());
        Assert.True(history.Max() > history[0] + 0.03, string.Join(", ", history));
    }

    [Fact]
    public void FitDistil_LearnsTheTeachersOrder_NotTheLabels()
    {
        var (train, dev) = SyntheticTask();
        var options = Options(Objective.Distil) with { Teacher = "teacher" };
        var faithful = train.Select(p => p with { Teacher = p.Relevance }).ToList();
        var reversed = train.Select(p => p with { Teacher = 4 - p.Relevance }).ToList();

        torch.manual_seed(Seed);
        using var student = BiEncoder(options);
        var learned = new FineTuner(options).Fit(student, faithful, dev);
        torch.manual_seed(Seed);
        using var misled = BiEncoder(options);
        var misledHistory = new List<double>();
        new FineTuner(options, new DevRecorder(misledHistory)).Fit(misled, reversed, dev);

        Assert.True(learned.Max() > learned[0] + 0.03, $"faithful teacher: dev NDCG@10 by epoch {string.Join(", ", learned)}");
        Assert.True(misledHistory[^1] < misledHistory[0] - 0.03, $"reversed teacher: dev NDCG@10 by epoch {string.Join(", ", misledHistory)}");
    }

    [Fact]
    public void Listwise_IsTheCrossEntropyAgainstGradedTargets_WithOtherQueriesProductsAsNegatives()
    {
        using var scope = NewDisposeScope();
        var queries = tensor(new float[] { 1, 0, 0, 1 }, [2, 2]);
        var products = tensor(new float[] { 1, 0, 0.6f, 0.8f, 0, 1 }, [3, 2]);
        var relevance = tensor(new float[] { 3, 1, 2 });
        var ids = tensor(new long[] { 0, 0, 1 }); // products 0 and 1 are judged for query 0, product 2 for query 1
        const double scale = 2;

        // Query 0 scores (2, 1.2, 0) and wants (e^3, e^1, 0) / (e^3 + e^1); query 1 scores (0, 1.6, 2) and wants (0, 0, 1).
        static double[] LogSoftmax(double[] s) => s.Select(x => x - Math.Log(s.Sum(Math.Exp))).ToArray();
        var first = LogSoftmax([2, 1.2, 0]);
        var (high, low) = (Math.Exp(3) / (Math.Exp(3) + Math.Exp(1)), Math.Exp(1) / (Math.Exp(3) + Math.Exp(1)));
        var expected = (-(high * first[0] + low * first[1]) - LogSoftmax([0, 1.6, 2])[2]) / 2;

        Assert.Equal(expected, Losses.Listwise(queries, products, relevance, ids, scale).item<float>(), 4);
    }

    [Fact]
    public void MarginMse_IsZeroWhenScaledCosineDifferencesMatchTheTeacher_AndIgnoresOtherQueries()
    {
        using var scope = NewDisposeScope();
        var queries = tensor(new float[] { 1, 0, 1, 0, 1, 0 }, [3, 2]);
        var angle = new[] { 0.0, 0.5, 1.2 };
        var products = tensor(angle.SelectMany(a => new[] { (float)Math.Cos(a), (float)Math.Sin(a) }).ToArray(), [3, 2]);
        var cosine = angle.Select(Math.Cos).ToArray();
        var scale = tensor(4f);
        // Pairs 0 and 1 share a query; pair 2 belongs to another, so its teacher score can be anything.
        var ids = tensor(new long[] { 0, 0, 1 });
        var matching = tensor(new[] { (float)(4 * cosine[0]), (float)(4 * cosine[1]), 99f });
        var off = tensor(new[] { (float)(4 * cosine[0]), (float)(4 * cosine[1] + 1), -99f });

        Assert.Equal(0, Losses.MarginMse(queries, products, matching, ids, scale).item<float>(), 4);
        Assert.Equal(1, Losses.MarginMse(queries, products, off, ids, scale).item<float>(), 4); // (i, j) and (j, i) both off by 1
    }

    [Fact]
    public void Options_Teacher_GoesWithTheDistilOrCrossGradedObjective()
    {
        Assert.Equal(new OptionProblem("Teacher", "is required by the distil objective"), new TrainingOptions { Objective = Objective.Distil }.Problem());
        Assert.Equal(new OptionProblem("Teacher", "needs the distil or cross-graded objective"), new TrainingOptions { Teacher = "ce" }.Problem());
        Assert.Null(new TrainingOptions { Objective = Objective.CrossGraded, Teacher = "ce" }.Problem());
    }

    [Fact]
    public void CrossGradedLoss_WithATeacher_TargetsTheTeachersRelevance_NotTheLabel()
    {
        var options = Options(Objective.CrossGraded) with { Dropout = 0 };
        torch.manual_seed(Seed);
        using var model = new CrossEncoderModel(new BertEncoder(s_tiny with { Dropout = 0 }), options, (1, 3));
        TrainingPair Pair(double relevance, double? teacher) => new("q", "p", [2, 5, 6, 3], [7, 8, 9, 3], relevance, Teacher: teacher);

        using var labelledThree = model.Loss([Pair(3, null), Pair(1, null)]);
        using var taughtThree = model.Loss([Pair(1, 3), Pair(3, 1)]);
        using var labelledOne = model.Loss([Pair(1, null), Pair(1, null)]);

        Assert.Equal(labelledThree.item<float>(), taughtThree.item<float>(), 6);
        Assert.NotEqual(labelledOne.item<float>(), taughtThree.item<float>(), 3);
    }

    [Fact]
    public void Fit_WithLora_TrainsOnlyAdapters_AndMergesThem()
    {
        var (train, dev) = SyntheticTask();
        var options = Options(Objective.Mnrl) with { LoraRank = 4, LoraAlpha = 8, LearningRate = 5e-3 };
        torch.manual_seed(Seed);
        using var model = BiEncoder(options);
        var encoder = model.Encoder;
        var before = encoder.Layers[1].Intermediate.weight!.detach().clone();

        var history = new FineTuner(options).Fit(model, train, dev);

        Assert.True(history.Max() > history[0], "LoRA training should improve dev NDCG");
        Assert.True(encoder.Layers.All(l => !l.Query.HasAdapter), "adapters are merged after training");
        Assert.Equal(0, (encoder.Layers[1].Intermediate.weight! - before).abs().max().item<float>());
    }

    [Fact]
    public void LoraMerge_GivesTheSameOutputs()
    {
        torch.manual_seed(Seed);
        using var encoder = new BertEncoder(s_tiny);
        encoder.eval();
        var generator = new Generator(5);
        foreach (var layer in encoder.Layers)
        {
            layer.Query.AttachAdapter(4, 8, generator);
            using (no_grad())
            {
                foreach (var p in layer.Query.AdapterParameters())
                {
                    p.copy_(randn(p.shape, generator: generator) * 0.1f); // non-zero B, so the adapter matters
                }
            }
        }

        using var ids = tensor(new long[] { 2, 5, 9, 1, 3, 4, 0, 0 }, [2, 4]);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 4]);
        using var withAdapters = encoder.forward(ids, mask);
        foreach (var layer in encoder.Layers)
        {
            layer.Query.Merge();
        }

        using var merged = encoder.forward(ids, mask);

        Assert.True((withAdapters - merged).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Resume_AfterAnInterruption_EndsWhereAnUninterruptedRunEnds()
    {
        var (train, dev) = SyntheticTask();
        var options = Options(Objective.Mnrl) with { Epochs = 2, Patience = 2 };
        var directory = Path.Combine(Path.GetTempPath(), "semmatch-checkpoint-" + Guid.NewGuid().ToString("N"));
        try
        {
            torch.manual_seed(Seed);
            using var straight = BiEncoder(options);
            var straightHistory = new FineTuner(options).Fit(straight, train, dev);

            torch.manual_seed(Seed);
            using var interrupted = BiEncoder(options);
            using var cancellation = new CancellationTokenSource();
            var stopper = new StopAt(17, cancellation); // mid-way through epoch 2
            Assert.Throws<OperationCanceledException>(() =>
                new FineTuner(options, stopper).Fit(interrupted, train, dev, null, directory, false, cancellation.Token));

            torch.manual_seed(Seed);
            using var resumed = BiEncoder(options);
            var resumedHistory = new FineTuner(options).Fit(resumed, train, dev, null, directory, resume: true);

            Assert.Equal(straightHistory.Count, resumedHistory.Count);
            Assert.Equal(straightHistory[^1], resumedHistory[^1], 5);
            foreach (var (a, b) in straight.parameters().Zip(resumed.parameters()))
            {
                Assert.True((a - b).abs().max().item<float>() < 1e-5f);
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void Resume_WithoutCheckpoint_IsAClearError()
    {
        var (train, dev) = SyntheticTask();
        using var model = BiEncoder(Options(Objective.Mnrl));

        var error = Assert.Throws<InvalidRequestException>(() =>
            new FineTuner(Options(Objective.Mnrl)).Fit(model, train, dev, null, "/nonexistent/checkpoint", resume: true));

        Assert.StartsWith("nothing to resume", error.Message);
    }

    [Fact]
    public void Fit_NoDevQueries_IsAClearError()
    {
        var (train, _) = SyntheticTask();
        using var model = BiEncoder(Options(Objective.Mnrl));

        var error = Assert.Throws<InvalidRequestException>(() => new FineTuner(Options(Objective.Mnrl)).Fit(model, train, []));

        Assert.StartsWith("no dev queries", error.Message);
    }

    [Fact]
    public void Options_OutOfRange_AreNamed()
    {
        Assert.Equal(new OptionProblem("Dropout", "must be in [0, 1)"), new TrainingOptions { Dropout = 1 }.Problem());
        Assert.Equal(new OptionProblem("BatchSize", "must be at least 2"), new TrainingOptions { BatchSize = 1 }.Problem());
        Assert.Null(new TrainingOptions().Problem());
    }

    private static BiEncoderModel BiEncoder(TrainingOptions options) => new(new BertEncoder(s_tiny), Pooling.Mean, options);

    private static TrainingOptions Options(Objective objective) => new()
    {
        Objective = objective,
        LearningRate = 1e-3,
        BatchSize = 16,
        Epochs = 4,
        Patience = 4,
        WarmupRatio = 0.1,
        Seed = Seed,
        Dropout = 0.0,
    };

    private static (List<TrainingPair> Train, List<DevQuery> Dev) SyntheticTask()
    {
        var random = new Random(Seed);
        long[] Product() => [101, .. Enumerable.Range(0, 8).Select(_ => (long)random.Next(5, Vocabulary)), 102];
        long[] QueryFor(long[] product) => [101, product[1 + random.Next(8)], product[1 + random.Next(8)], 102];
        var products = Enumerable.Range(0, 240).Select(_ => Product()).ToList();
        var train = new List<TrainingPair>();
        for (var i = 0; i < 200; i++)
        {
            var query = QueryFor(products[i]);
            train.Add(new TrainingPair($"q{i}", $"p{i}", query, products[i], 3));
            var other = (i + 1 + random.Next(199)) % 200;
            train.Add(new TrainingPair($"q{i}", $"p{other}", query, products[other], 1));
        }

        var dev = Enumerable.Range(200, 40).Select(i =>
        {
            var candidates = new List<(string, long[], double)> { ($"p{i}", products[i], 3) };
            candidates.AddRange(Enumerable.Range(0, 4).Select(k => 200 + (i - 200 + 1 + k * 7) % 40).Select(j => ($"p{j}", products[j], 1.0)));
            return new DevQuery(QueryFor(products[i]), candidates);
        }).ToList();
        return (train, dev);
    }

    /// <summary>
    /// A pair task for cross-encoders: a query is one of 10 category tokens, a product carries one among two noise
    /// tokens, and a product is relevant (3) to a query exactly when the categories match (else 1). Dev products are new.
    /// </summary>
    private static (List<TrainingPair> Train, List<DevQuery> Dev) CategoryTask()
    {
        var random = new Random(Seed);
        long Noise() => random.Next(20, 30);
        long[] Product(int category) => [101, Noise(), 5 + category, Noise(), 102];
        long[] Query(int category) => [101, 5 + category, 102];
        int Other(int category) => (category + 1 + random.Next(9)) % 10;
        var train = new List<TrainingPair>();
        for (var i = 0; i < 200; i++)
        {
            var category = random.Next(10);
            var query = Query(category);
            train.Add(new TrainingPair($"q{i}", $"p{i}", query, Product(category), 3));
            train.Add(new TrainingPair($"q{i}", $"n{i}", query, Product(Other(category)), 1));
        }

        var dev = Enumerable.Range(0, 40).Select(i =>
        {
            var category = random.Next(10);
            var candidates = new List<(string, long[], double)> { ($"dp{i}", Product(category), 3) };
            candidates.AddRange(Enumerable.Range(0, 4).Select(k => ($"dn{i}-{k}", Product(Other(category)), 1.0)));
            return new DevQuery(Query(category), candidates);
        }).ToList();
        return (train, dev);
    }

    private sealed class DevRecorder(List<double> scores) : ITrainingObserver
    {
        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            if (e.Kind == "dev")
            {
                scores.Add(e.DevScore!.Value);
            }
        }
    }

    private sealed class StopAt(int step, CancellationTokenSource cancellation) : ITrainingObserver
    {
        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            if (e.Step == step)
            {
                cancellation.Cancel();
            }
        }
    }

    private sealed class Recorder(List<double> losses) : ITrainingObserver
    {
        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            if (e.Loss is { } loss)
            {
                losses.Add(loss);
            }
        }
    }
}
