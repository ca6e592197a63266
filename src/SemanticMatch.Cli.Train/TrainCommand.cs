using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Engine;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Augmenting;
using SemanticMatch.Training.Fitting;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Train;

/// <summary><c>semmatch-train</c>: fine-tunes a bi-encoder or trains a cross-encoder on labelled pairs and writes a model directory.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    // Properties of TrainingOptions whose option has another name.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.Ordinal)
    {
        [nameof(TrainingOptions.WarmupRatio)] = nameof(Settings.Warmup),
        [nameof(TrainingOptions.Augmentations)] = nameof(Settings.Augment),
    };

    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--train <FILE>")]
        [Description("Training judgments: query,product_id,relevance; or labelled text pairs as they are (query,title,label as QBQTC's JSON Lines; sentence1,sentence2,label as AFQMC's CSV).")]
        public string Train { get; init; } = string.Empty;

        [CommandOption("--dev <FILE>")]
        [Description("Dev judgments (same formats) scored after every epoch by --select-by (early stopping, best epoch kept).")]
        public string Dev { get; init; } = string.Empty;

        [CommandOption("-p|--products <FILE>")]
        [Description("Products file holding every product the judgments name by id (not needed when both files carry their texts).")]
        public string? Products { get; init; }

        [CommandOption("--language <LANGUAGE>")]
        [Description("zh: add the CJK characters of the training texts that the base vocabulary lacks (one token each, as Chinese BERT models hold them) before training; en: never; auto: when such characters are at least 1% of the training texts' characters.")]
        [DefaultValue(TextLanguage.Auto)]
        [TypeConverter(typeof(KebabCaseEnumConverter<TextLanguage>))]
        public TextLanguage Language { get; init; } = TextLanguage.Auto;

        [CommandOption("--vocab-init <INIT>")]
        [Description("Embedding rows of added characters: random (per-dimension normal with the existing rows' mean and spread) or unk (copies of [[UNK]]: the model starts exactly as before).")]
        [DefaultValue(NewTokenInit.Random)]
        [TypeConverter(typeof(KebabCaseEnumConverter<NewTokenInit>))]
        public NewTokenInit VocabInit { get; init; } = NewTokenInit.Random;

        [CommandOption("--embedding-lr <RATE>")]
        [Description("Peak learning rate of the word embeddings (default: --lr; 1e-3 when the model has added characters, which start from nothing).")]
        public double? EmbeddingLearningRate { get; init; }

        [CommandOption("--select-by <METRIC>")]
        [Description("Dev metric that keeps the best epoch: ndcg (re-ranking NDCG@10 per query), auc (ROC-AUC of relevant vs not over all pairs), accuracy (relevant vs not at the best cut), or auto: ndcg when dev queries have 2+ judged products on average, else auc (pair data such as QBQTC).")]
        [DefaultValue(DevMetric.Auto)]
        [TypeConverter(typeof(KebabCaseEnumConverter<DevMetric>))]
        public DevMetric SelectBy { get; init; } = DevMetric.Auto;

        [CommandOption("--base <MODEL>")]
        [Description("Model to start from: minilm, arctic, or a model directory (a previously fine-tuned one continues training).")]
        [DefaultValue("minilm")]
        public string Base { get; init; } = "minilm";

        [CommandOption("--objective <OBJECTIVE>")]
        [Description("Bi-encoder: mnrl (in-batch negatives, positives only), bce (cross-entropy on sigmoid(a*cos+b), label relevance >= threshold), cosent (graded), distil (Margin-MSE: learns --teacher's score differences between a query's products) or listwise (ListNet over each query's judged products, graded by relevance, plus in-batch negatives; batches of whole queries). Cross-encoder (re-ranker): cross (2 labels, relevance >= threshold) or cross-graded (predicts the relevance value), or cross-ranked (cross-graded plus a pairwise ranking loss inside each query, batches of whole queries). mlm: continued pretraining by masked-language modelling on the pairs' texts (labels unused), writing a bi-encoder to use as --base next.")]
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

        [CommandOption("--layers <N>")]
        [Description("Layer pruning: keep N of the base's transformer layers, evenly spaced with the top one (6 -> 4 keeps 0,2,3,5; 6 -> 3 keeps 1,3,5), and train that smaller, faster model (start from a fine-tuned model to prune it; 0 keeps all).")]
        [DefaultValue(0)]
        public int Layers { get; init; }

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
        [Description("Add N random products per training query that are not judged for it, at the lowest relevance of the training labels (bce, cosent, distil, listwise, cross, cross-graded, cross-ranked): teaches the model what an unrelated product looks like.")]
        [DefaultValue(0)]
        public int RandomNegatives { get; init; }

        [CommandOption("--teacher <MODEL>")]
        [Description("With distil: the cross-encoder (model directory) whose scores of every training pair the bi-encoder learns. With cross-graded: a cross-encoder predicting relevance whose scores replace the labels as targets (distils a re-ranker into a smaller one, e.g. with --layers).")]
        public string? Teacher { get; init; }

        [CommandOption("--augment <KINDS>")]
        [Description("Comma-separated query rewrites added to the training judgments, each query's judged products copied at the same relevance: typos (one keyboard slip), units (\"in.\" / \"inch\", \"gal.\" / \"gallon\"), truncate (first or last word dropped), synonyms (mined from the training judgments' relevant titles).")]
        public string? Augment { get; init; }

        [CommandOption("--augment-rate <P>")]
        [Description("Probability that a query gets a rewritten copy, per --augment kind.")]
        [DefaultValue(0.5)]
        public double AugmentRate { get; init; } = 0.5;

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
            Layers = Layers,
            LoraRank = LoraRank,
            LoraAlpha = LoraAlpha,
            MaxQueryLength = MaxQueryLength,
            MaxProductLength = MaxProductLength,
            RelevantThreshold = RelevantThreshold,
            HardNegatives = HardNegatives,
            RandomNegatives = RandomNegatives,
            SelectBy = SelectBy,
            EmbeddingLearningRate = EmbeddingLearningRate,
            Teacher = Teacher,
            Augmentations = KebabCaseList.Parse<Augmentation>(Augment).Values,
            AugmentRate = AugmentRate,
        };

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Train) || string.IsNullOrWhiteSpace(Dev) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--train, --dev and --out are required (and --products, unless the judgments carry their texts)");
            }

            if (Products is { } products && string.IsNullOrWhiteSpace(products))
            {
                return ValidationResult.Error("--products is empty");
            }

            if (KebabCaseList.Parse<Augmentation>(Augment).Unknown is [_, ..] unknown)
            {
                return ValidationResult.Error($"--augment: unknown kind(s) {string.Join(", ", unknown)} (use {KebabCaseList.Names<Augmentation>()})");
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

        var (products, judgments) = Inputs.JudgedProducts(settings.Products, [settings.Train, settings.Dev], new ReadOptions());
        var (train, dev) = (judgments[0], judgments[1]);
        var shared = train.Select(j => j.Query).Intersect(dev.Select(j => j.Query)).Count();
        if (shared > 0)
        {
            Consoles.Error.MarkupLineInterpolated($"[yellow]warning: {shared} queries appear in both --train and --dev; dev NDCG will be optimistic[/]");
        }

        var text = products.ToDictionary(p => p.Id, ProductText.Default.Of, StringComparer.Ordinal);
        var baseModel = BundledModels.Resolve(settings.Base);
        var extended = ExtendVocabulary(settings, baseModel, train.Select(j => ProductText.Default.OfQuery(j.Query)).Distinct().Concat(text.Values).ToList());
        baseModel = extended ?? baseModel;
        var options = settings.ToOptions() with
        {
            EmbeddingLearningRate = settings.EmbeddingLearningRate ?? (baseModel.Config.Vocabulary is { Added: > 0 } ? AddedRowsLearningRate : null),
        };
        var teacher = options.Teacher is { } teacherArgument ? Teacher(teacherArgument, options.Objective) : null;
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, baseModel.Config.LowerCase);
        // A cross-encoder reads the bare pair; masked-language modelling reads the bare texts.
        var queryPrefix = options.IsCrossEncoder || options.Objective == Objective.Mlm ? string.Empty : baseModel.Config.QueryPrefix;
        train = Augmented(train, text, options);
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

        if (teacher is not null)
        {
            trainPairs = TeacherScored(trainPairs, teacher, text, cancellationToken);
        }

        var devQueries = TrainingData.Tokenize(dev, text, ProductText.Default.OfQuery, tokenizer, queryPrefix, options)
            .GroupBy(p => p.Query, StringComparer.Ordinal)
            .Select(g => new DevQuery(g.First().QueryTokens, g.Select(p => (p.ProductId, p.ProductTokens, p.Relevance)).ToList()))
            .ToList();
        Consoles.Error.MarkupLineInterpolated(
            $"training {baseModel.Config.Name} with {options.Objective} on {trainPairs.Count} pairs, {devQueries.Count} dev queries");
        TrainingHistory history;
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

        if (extended is not null)
        {
            Directory.Delete(extended.Path, recursive: true); // the trained model holds the extended vocabulary; this copy was its starting point
        }

        Consoles.Out.MarkupLineInterpolated(
            $"dev {DevEvaluation.Name(history.Metric)} by epoch (0 = before): {string.Join(", ", history.Scores.Select(h => h.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        Consoles.Out.MarkupLineInterpolated($"wrote [blue]{settings.Out}[/]; use it with --model {settings.Out}");
        return 0;
    }

    /// <summary>Peak learning rate of the word embeddings of a model with added characters (they start from nothing; 50x BERT's usual 2e-5).</summary>
    private const double AddedRowsLearningRate = 1e-3;

    /// <summary>Share of the training texts' characters that must be CJK characters unknown to the base vocabulary for --language auto to extend it.</summary>
    private const double AutoShare = 0.01;

    // With --language zh (or auto and enough unknown CJK characters), the base model with those characters added, written
    // beside the output (kept for --resume, deleted after training); null when the vocabulary stays as it is.
    private static ModelDirectory? ExtendVocabulary(Settings settings, ModelDirectory baseModel, IReadOnlyList<string> texts)
    {
        if (settings.Language == TextLanguage.En)
        {
            return null;
        }

        var directory = Path.Combine(settings.Out, "base-vocabulary");
        if (settings.Resume && Directory.Exists(directory))
        {
            return ModelDirectory.Open(directory);
        }

        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, baseModel.Config.LowerCase);
        var missing = VocabularyExtension.MissingCjkCharacters(tokenizer, texts);
        if (missing.Count == 0)
        {
            Consoles.Error.MarkupLineInterpolated($"the vocabulary of {baseModel.Config.Name} holds every CJK character of the training texts");
            return null;
        }

        var set = missing.Select(m => m[0]).ToHashSet();
        var share = (double)texts.Sum(t => t.Count(set.Contains)) / Math.Max(1, texts.Sum(t => t.Length));
        if (settings.Language == TextLanguage.Auto && share < AutoShare)
        {
            return null;
        }

        var result = Consoles.Error.Status().Start($"adding {missing.Count} CJK characters to the vocabulary of {Markup.Escape(baseModel.Config.Name)}",
            _ => VocabularyExtension.Extend(baseModel, missing, directory, settings.VocabInit, settings.Seed));
        Consoles.Error.MarkupLineInterpolated(
            $"added {missing.Count} CJK characters ({share:P1} of the training text was [[UNK]] before) to the vocabulary; new rows: {settings.VocabInit.ToString().ToLowerInvariant()}");
        return result.Model;
    }

    // The training judgments with --augment's rewritten queries added, and what each rewrite added.
    private static IReadOnlyList<Judgment> Augmented(IReadOnlyList<Judgment> train, IReadOnlyDictionary<string, string> text, TrainingOptions options)
    {
        if (options.Augmentations.Count == 0)
        {
            return train;
        }

        var synonyms = new Dictionary<string, string>();
        if (options.Augmentations.Contains(Augmentation.Synonyms))
        {
            synonyms = SynonymMining.Mine(train, text, options.RelevantThreshold, WordSimilarity);
            Consoles.Error.MarkupLineInterpolated(
                $"mined {synonyms.Count} synonyms, e.g. {string.Join(", ", synonyms.Take(5).Select(s => $"{s.Key} -> {s.Value}"))}");
        }

        var (added, report) = QueryAugmenter.Augment(train, options.Augmentations, options.AugmentRate, synonyms, options.Seed);
        foreach (var line in report)
        {
            Consoles.Error.MarkupLineInterpolated(
                $"augmentation {KebabCase.Of(line.Kind.ToString())}: {line.Queries} rewritten queries, {line.Judgments} judgments added");
        }

        return [.. train, .. added];
    }

    // The --teacher model, checked before any work: a cross-encoder directory (predicting relevance, for cross-graded).
    private static ModelDirectory Teacher(string argument, Objective objective)
    {
        try
        {
            var model = BundledModels.Resolve(argument);
            return model.Config switch
            {
                { Kind: not ModelKind.CrossEncoder } => throw new UserError($"--teacher: {model.Path} is a {model.Config.Kind}; distillation learns from a cross-encoder"),
                { Score: not CrossEncoderScore.Relevance } when objective == Objective.CrossGraded =>
                    throw new UserError($"--teacher: {model.Path} scores {model.Config.Score}; cross-graded learns a predicted relevance"),
                _ => model,
            };
        }
        catch (ModelFormatException e)
        {
            throw new UserError($"--teacher: {e.Message}");
        }
    }

    // Cosine similarity of word pairs by the bundled MiniLM (whatever the base model: a cross-encoder cannot embed words).
    private static float[] WordSimilarity(IReadOnlyList<(string A, string B)> pairs)
    {
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve("minilm"));
        var words = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = encoder.Encode(words, TextRole.Document).Select((v, i) => (words[i], v)).ToDictionary(x => x.Item1, x => x.v, StringComparer.Ordinal);
        return pairs.Select(p => VectorSimilarity.Cosine(vectors[p.A], vectors[p.B])).ToArray();
    }

    // Every training pair scored by the teacher cross-encoder (ONNX), one query's products per call.
    private static List<TrainingPair> TeacherScored(List<TrainingPair> pairs, ModelDirectory teacher, Dictionary<string, string> text,
        CancellationToken cancellationToken)
    {
        using var scorer = OnnxCrossEncoder.Create(teacher);
        var queries = pairs.Select(p => p.Query).Distinct(StringComparer.Ordinal).Count();
        var scored = SpectreProgressSink.Run(sink =>
        {
            var progress = sink.Begin($"teacher {teacher.Config.Name} scoring {pairs.Count} pairs of {queries} queries", queries);
            var done = 0;
            return TrainingData.WithTeacherScores(pairs, (query, ids) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var scores = scorer.Score(ProductText.Default.OfQuery(query), ids.Select(id => text[id]).ToList(), cancellationToken);
                progress.Report(++done);
                return scores;
            });
        });
        Consoles.Error.MarkupLineInterpolated($"teacher {teacher.Config.Name} scored {scored.Count} pairs of {queries} queries");
        return scored;
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
                ? Markup.Escape($"epoch {e.Epoch}: dev {e.DevMetric} {e.DevScore:F4}")
                : Markup.Escape($"epoch {e.Epoch} step {e.Step}: loss {e.Loss:F4}, {e.PairsPerSecond:F0} pairs/s");
        }
    }
}
