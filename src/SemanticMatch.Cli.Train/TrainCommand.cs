using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Engine;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Fitting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Train;

/// <summary><c>semmatch-train</c>: fine-tunes a bi-encoder or trains a cross-encoder on labelled pairs and writes a model directory.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    // Properties of TrainingOptions whose option has another name.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.Ordinal)
    {
        [nameof(TrainingOptions.WarmupRatio)] = nameof(Settings.Warmup),
    };

    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--train <FILE>")]
        [Description("Training judgments: query,product_id,relevance.")]
        public string Train { get; init; } = string.Empty;

        [CommandOption("--dev <FILE>")]
        [Description("Dev judgments for re-ranking NDCG@10 after every epoch (early stopping, best epoch kept).")]
        public string Dev { get; init; } = string.Empty;

        [CommandOption("-p|--products <FILE>")]
        [Description("Products file holding every product the judgments name.")]
        public string Products { get; init; } = string.Empty;

        [CommandOption("--base <MODEL>")]
        [Description("Model to start from: minilm, arctic, or a model directory (a previously fine-tuned one continues training).")]
        [DefaultValue("minilm")]
        public string Base { get; init; } = "minilm";

        [CommandOption("--objective <OBJECTIVE>")]
        [Description("Bi-encoder: mnrl (in-batch negatives, positives only), bce (cross-entropy on sigmoid(a*cos+b), label relevance >= threshold) or cosent (graded). Cross-encoder (re-ranker): cross (2 labels, relevance >= threshold) or cross-graded (predicts the relevance value).")]
        [DefaultValue(Objective.Mnrl)]
        [TypeConverter(typeof(KebabCaseEnumConverter<Objective>))]
        public Objective Objective { get; init; } = Objective.Mnrl;

        [CommandOption("-o|--out <DIR>")]
        [Description("Output model directory (model.onnx, vocab.txt, semanticmatch.json, training.json, metrics.jsonl).")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--optimizer <NAME>")]
        [Description("adamw or sgd (momentum 0.9).")]
        [DefaultValue(OptimizerKind.AdamW)]
        [TypeConverter(typeof(KebabCaseEnumConverter<OptimizerKind>))]
        public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate.")]
        [DefaultValue(2e-5)]
        public double LearningRate { get; init; } = 2e-5;

        [CommandOption("--batch-size <N>")]
        [Description("Pairs per step.")]
        [DefaultValue(32)]
        public int BatchSize { get; init; } = 32;

        [CommandOption("--epochs <N>")]
        [Description("Maximum epochs.")]
        [DefaultValue(1)]
        public int Epochs { get; init; } = 1;

        [CommandOption("--weight-decay <W>")]
        [Description("Weight decay.")]
        [DefaultValue(0.01)]
        public double WeightDecay { get; init; } = 0.01;

        [CommandOption("--dropout <P>")]
        [Description("Dropout inside the encoder while training.")]
        [DefaultValue(0.1)]
        public double Dropout { get; init; } = 0.1;

        [CommandOption("--warmup <RATIO>")]
        [Description("Share of steps with linear warm-up; linear decay to 0 follows.")]
        [DefaultValue(0.1)]
        public double Warmup { get; init; } = 0.1;

        [CommandOption("--max-grad-norm <N>")]
        [Description("Gradient clipping by global norm (0 = off).")]
        [DefaultValue(1.0)]
        public double MaxGradNorm { get; init; } = 1.0;

        [CommandOption("--patience <N>")]
        [Description("Epochs without dev improvement before stopping.")]
        [DefaultValue(2)]
        public int Patience { get; init; } = 2;

        [CommandOption("--seed <N>")]
        [Description("Seed for shuffling, dropout and adapters.")]
        [DefaultValue(42)]
        public int Seed { get; init; } = 42;

        [CommandOption("--freeze-layers <N>")]
        [Description("Freeze the embeddings and the bottom N layers (0 = embeddings only; -1 = full fine-tuning).")]
        [DefaultValue(-1)]
        public int FreezeLayers { get; init; } = -1;

        [CommandOption("--lora-rank <R>")]
        [Description("Train LoRA adapters of rank R on query/key/value instead of all weights (merged on export; 0 = off).")]
        [DefaultValue(0)]
        public int LoraRank { get; init; }

        [CommandOption("--lora-alpha <A>")]
        [Description("LoRA alpha (scale = alpha / rank).")]
        [DefaultValue(16.0)]
        public double LoraAlpha { get; init; } = 16;

        [CommandOption("--max-query-length <N>")]
        [Description("Token limit for queries.")]
        [DefaultValue(32)]
        public int MaxQueryLength { get; init; } = 32;

        [CommandOption("--max-product-length <N>")]
        [Description("Token limit for products.")]
        [DefaultValue(64)]
        public int MaxProductLength { get; init; } = 64;

        [CommandOption("--hard-negatives")]
        [Description("With mnrl: add to each positive the product the base model ranks highest for its query that is not judged relevant (mined once, before training, over the whole products file).")]
        public bool HardNegatives { get; init; }

        [CommandOption("--random-negatives <N>")]
        [Description("Add N random products per training query that are not judged for it, at the lowest relevance of the training labels (bce, cosent, cross, cross-graded): teaches the model what an unrelated product looks like.")]
        [DefaultValue(0)]
        public int RandomNegatives { get; init; }

        [CommandOption("--resume")]
        [Description("Continue the interrupted run whose checkpoint is in --out/checkpoint (same options required).")]
        public bool Resume { get; init; }

        [CommandOption("--relevant-threshold <T>")]
        [Description("Relevance at or above which a pair is positive.")]
        [DefaultValue(2.5)]
        public double RelevantThreshold { get; init; } = 2.5;

        public TrainingOptions ToOptions() => new()
        {
            Objective = Objective,
            Optimizer = Optimizer,
            LearningRate = LearningRate,
            BatchSize = BatchSize,
            Epochs = Epochs,
            WeightDecay = WeightDecay,
            Dropout = Dropout,
            WarmupRatio = Warmup,
            MaxGradNorm = MaxGradNorm,
            Patience = Patience,
            Seed = Seed,
            FreezeLayers = FreezeLayers,
            LoraRank = LoraRank,
            LoraAlpha = LoraAlpha,
            MaxQueryLength = MaxQueryLength,
            MaxProductLength = MaxProductLength,
            RelevantThreshold = RelevantThreshold,
            HardNegatives = HardNegatives,
            RandomNegatives = RandomNegatives,
        };

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Train) || string.IsNullOrWhiteSpace(Dev) || string.IsNullOrWhiteSpace(Products) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--train, --dev, --products and --out are required");
            }

            return OptionNames.Error<Settings>(ToOptions().Problem(), s_renamed) ?? ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Resume)
        {
            Inputs.CheckNewDirectory("--out", settings.Out);
        }

        var products = Inputs.Products(settings.Products, new ReadOptions());
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var train = Inputs.Judgments(settings.Train, ids, new ReadOptions());
        var dev = Inputs.Judgments(settings.Dev, ids, new ReadOptions());
        var shared = train.Select(j => j.Query).Intersect(dev.Select(j => j.Query)).Count();
        if (shared > 0)
        {
            Consoles.Error.MarkupLineInterpolated($"[yellow]warning: {shared} queries appear in both --train and --dev; dev NDCG will be optimistic[/]");
        }

        var baseModel = BundledModels.Resolve(settings.Base);
        var options = settings.ToOptions();
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, baseModel.Config.LowerCase);
        var text = products.ToDictionary(p => p.Id, ProductText.Default.Of, StringComparer.Ordinal);
        var queryPrefix = options.IsCrossEncoder ? string.Empty : baseModel.Config.QueryPrefix; // a cross-encoder reads the bare pair
        var trainPairs = TrainingData.Tokenize(train, text, ProductText.Default.OfQuery, tokenizer, queryPrefix, options);
        if (options.RandomNegatives > 0)
        {
            var before = trainPairs.Count;
            trainPairs = TrainingData.WithRandomNegatives(trainPairs, products.Select(p => p.Id).ToList(),
                id => tokenizer.Encode(text[id], options.MaxProductLength), options.RandomNegatives, trainPairs.Min(p => p.Relevance),
                new Random(options.Seed));
            Consoles.Error.MarkupLineInterpolated($"added {trainPairs.Count - before} random negatives");
        }

        if (options.HardNegatives)
        {
            trainPairs = MineHardNegatives(trainPairs, products, text, baseModel, tokenizer, options, cancellationToken);
        }

        var devQueries = TrainingData.Tokenize(dev, text, ProductText.Default.OfQuery, tokenizer, queryPrefix, options)
            .GroupBy(p => p.Query, StringComparer.Ordinal)
            .Select(g => new DevQuery(g.First().QueryTokens, g.Select(p => (p.ProductId, p.ProductTokens, p.Relevance)).ToList()))
            .ToList();
        Consoles.Error.MarkupLineInterpolated(
            $"training {baseModel.Config.Name} with {options.Objective} on {trainPairs.Count} pairs, {devQueries.Count} dev queries");
        IReadOnlyList<double> history;
        try
        {
            history = Consoles.Error.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progressContext =>
                {
                    var observer = new ProgressObserver(progressContext);
                    return new FineTuner(options, observer).Train(baseModel, trainPairs, devQueries, settings.Out, settings.Resume, cancellationToken);
                });
        }
        catch (OperationCanceledException)
        {
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]interrupted: checkpoint saved in {FineTuner.CheckpointDirectory(settings.Out)}; run the same command with --resume to continue[/]");
            return 130;
        }

        Consoles.Out.MarkupLineInterpolated($"dev NDCG@10 by epoch (0 = before): {string.Join(", ", history.Select(h => h.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        Consoles.Out.MarkupLineInterpolated($"wrote [blue]{settings.Out}[/]; use it with --model {settings.Out}");
        return 0;
    }

    // Ranks the whole catalogue with the base model (ONNX, exact search) to find each training query's hard negative.
    private static List<TrainingPair> MineHardNegatives(List<TrainingPair> pairs, IReadOnlyList<Product> products,
        Dictionary<string, string> texts, ModelDirectory baseModel, WordPieceTokenizer tokenizer, TrainingOptions options,
        CancellationToken cancellationToken)
    {
        using var encoder = OnnxEncoder.Create(baseModel);
        using var index = new ExactVectorIndex(encoder.Dimension, SimilarityMetric.Cosine);
        var queries = pairs.Select(p => p.Query).Distinct(StringComparer.Ordinal).ToList();
        var ranked = SpectreProgressSink.Run(sink =>
        {
            var vectors = encoder.Encode(products.Select(p => texts[p.Id]).ToList(), TextRole.Document,
                sink.Begin($"mining hard negatives: embedding {products.Count} products", products.Count), cancellationToken);
            for (var i = 0; i < products.Count; i++)
            {
                index.Add(products[i].Id, vectors[i]);
            }

            var queryVectors = encoder.Encode(queries.Select(ProductText.Default.OfQuery).ToList(), TextRole.Query,
                sink.Begin($"mining hard negatives: ranking for {queries.Count} queries", queries.Count), cancellationToken);
            return queries.Select((q, i) => (q, Ids: (IReadOnlyList<string>)index.Search(queryVectors[i], 10).Select(h => h.ProductId).ToList()))
                .ToDictionary(x => x.q, x => x.Ids, StringComparer.Ordinal);
        });
        var tokens = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var mined = TrainingData.WithHardNegatives(pairs, q => ranked[q],
            id => tokens.TryGetValue(id, out var t) ? t : tokens[id] = tokenizer.Encode(texts[id], options.MaxProductLength),
            options.RelevantThreshold);
        Consoles.Error.MarkupLineInterpolated($"hard negatives for {mined.Count(p => p.NegativeTokens is not null)} of {mined.Count(p => p.Relevance >= options.RelevantThreshold)} positives");
        return mined;
    }

    private sealed class ProgressObserver(ProgressContext context) : ITrainingObserver
    {
        private ProgressTask? _task;

        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            _task ??= context.AddTask("training", maxValue: totalSteps);
            _task.Value = e.Step;
            _task.Description = e.Kind == "dev"
                ? Markup.Escape($"epoch {e.Epoch}: dev NDCG@10 {e.DevNdcg10:F4}")
                : Markup.Escape($"epoch {e.Epoch} step {e.Step}: loss {e.Loss:F4}, {e.PairsPerSecond:F0} pairs/s");
        }
    }
}
