using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Augmenting;
using SemanticMatch.Training.Fitting;
using SemanticMatch.Training.Workflow;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;
using SemanticMatch.Core;

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

        [CommandOption("--fields <FIELDS>")]
        [Description("Comma-separated product fields the model learns from, in order: give those the index or collection that will use the model embeds (as 'index --fields').")]
        [DefaultValue(ProductColumns.Title)]
        public string Fields { get; init; } = ProductColumns.Title;

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
        [DefaultValue(ModelNames.Default)]
        public string Base { get; init; } = ModelNames.Default;

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

        public ProductText ToProductText()
        {
            var fields = Fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f => f.ToLowerInvariant()).ToList();
            return fields.Count > 0 ? new ProductText(fields, TextNormalizationOptions.Default) : throw new UserError("--fields needs at least one field name");
        }

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

            if (OptionNames.Error<Settings>(ToOptions().Problem(), s_renamed) is { } optionError)
            {
                return optionError;
            }

            return Teacher is { } teacher && TrainingWorkflow.TeacherProblem(teacher, Objective) is { } teacherProblem
                ? ValidationResult.Error($"--teacher: {teacherProblem.Rule}")
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Resume)
        {
            Inputs.CheckNewDirectory("--out", settings.Out);
        }

        var text = settings.ToProductText();
        var (products, judgments) = Inputs.JudgedProducts(settings.Products, [settings.Train, settings.Dev], new ReadOptions());
        if (settings.Products is not null)
        {
            Inputs.CheckFields(text, products, settings.Products);
        }

        var run = new TrainingRun
        {
            Products = products,
            Train = judgments[0],
            Dev = judgments[1],
            BaseModel = settings.Base,
            OutputDirectory = settings.Out,
            Resume = settings.Resume,
            Text = text,
            Language = settings.Language,
            VocabularyInit = settings.VocabInit,
            Options = settings.ToOptions(),
        };
        TrainingHistory history;
        try
        {
            history = Consoles.Error.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progressContext => TrainingWorkflow.Run(run, new SpectreProgressSink(progressContext), new ProgressObserver(progressContext), cancellationToken));
        }
        catch (OperationCanceledException)
        {
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]interrupted: checkpoint saved in {FineTuner.CheckpointDirectory(settings.Out)}; run the same command with --resume to continue[/]");
            return 130;
        }

        Consoles.Out.MarkupLineInterpolated(
            $"dev {DevEvaluation.Name(history.Metric)} by epoch (0 = before): {string.Join(", ", history.Scores.Select(h => h.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        Consoles.Out.MarkupLineInterpolated($"wrote [blue]{settings.Out}[/]; use it with --model {settings.Out}");
        return 0;
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
