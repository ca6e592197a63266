using SemanticMatch.Engine.Indexing;
using System.ComponentModel;
using System.Globalization;
using SemanticMatch.CommandLine;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine;
using SemanticMatch.Search;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Cli.Commands;

/// <summary>
/// <c>semmatch train-ranker</c>: a learned ranker (LambdaMART over keyword, dense, cross-encoder and lexical features of
/// the hybrid first stage's top candidates), calibrated on dev, written as a ranker directory.
/// </summary>
internal sealed class TrainRankerCommand : AsyncCommand<TrainRankerCommand.Settings>
{
    private const int DefaultDepth = 30;

    internal sealed class Settings : CorpusSettings
    {
        [CommandOption("--train <FILE>")]
        [Description("Judgments the ranker learns from (query,product_id,relevance), described by --model and --rerank. Best: queries those models were not fine-tuned on, so their scores are as good as on new queries. May be left out when --part gives every train query.")]
        public string Train { get; init; } = string.Empty;

        [CommandOption("--dev <FILE>")]
        [Description("Judgments that calibrate the probabilities and measure the ranker (never trained on).")]
        public string Dev { get; init; } = string.Empty;

        [CommandOption("-p|--products <FILE>")]
        [Description("The whole catalogue (the first stage searches all of it).")]
        public string Products { get; init; } = string.Empty;

        [CommandOption("--rerank <DIR>")]
        [Description("A cross-encoder model directory whose score is a feature, or DIR+DIR for an ensemble's mean (then search needs it too: the ranker records it).")]
        public string? Rerank { get; init; }

        [CommandOption("--part <FILE>")]
        [Description("More train judgments, each described by its own models (--part-model, and --part-rerank with --rerank; given in the same order) that were not fine-tuned on its queries: cross-fitting, so the ranker also learns from the queries the served models were trained on. Repeatable.")]
        public string[] Parts { get; init; } = [];

        [CommandOption("--part-model <MODEL>")]
        [Description("The bi-encoder that describes the --part of the same position (trained without its queries).")]
        public string[] PartModels { get; init; } = [];

        [CommandOption("--part-rerank <DIR>")]
        [Description("The cross-encoder that describes the --part of the same position (trained without its queries); one per --part when --rerank is given.")]
        public string[] PartReranks { get; init; } = [];

        [CommandOption("--depth <N>")]
        [Description("How many hybrid first-stage results the ranker orders (each is scored by the cross-encoder: the depth sets the latency). On Home Depot, 20, 30 and 50 gave the same quality.")]
        [DefaultValue(DefaultDepth)]
        public int Depth { get; init; } = DefaultDepth;

        [CommandOption("--trees <N>")]
        [Description("Boosted trees per model; several, comma-separated (100,300), for --folds to choose from.")]
        [DefaultValue("100")]
        public string Trees { get; init; } = "100";

        [CommandOption("--leaves <N>")]
        [Description("Leaves per tree; several, comma-separated (8,16), for --folds to choose from.")]
        [DefaultValue("8")]
        public string Leaves { get; init; } = "8";

        [CommandOption("--folds <K>")]
        [Description("Cross-validate every --trees x --leaves setting over K folds of the train queries and train with the simplest one within one standard error of the best (NDCG@10, paired by fold); dev stays a measurement. 0: no cross-validation (one setting only).")]
        [DefaultValue(0)]
        public int Folds { get; init; }

        [CommandOption("--min-leaf <N>")]
        [Description("Fewest training pairs in a leaf.")]
        [DefaultValue(20)]
        public int MinimumLeafCount { get; init; } = 20;

        [CommandOption("--learning-rate <R>")]
        [Description("Shrinkage of each tree, in (0, 1]].")]
        [DefaultValue(0.05)]
        public double LearningRate { get; init; } = 0.05;

        [CommandOption("--without <GROUPS>")]
        [Description("Comma-separated feature groups to leave out: keyword, dense, cross, first-stage, lexical, numbers, spelling.")]
        public string? Without { get; init; }

        [CommandOption("--relevant-threshold <T>")]
        [Description("A pair is relevant when relevance >= T: what the calibrated probability is the probability of.")]
        [DefaultValue(2.5)]
        public double RelevantThreshold { get; init; } = 2.5;

        [CommandOption("--unjudged-negatives")]
        [Description("Also teach the order with each train query's unjudged first-stage candidates as irrelevant (judged products are what the source's own search showed; the relevance model still learns from judged pairs only).")]
        public bool UnjudgedNegatives { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the tree learner.")]
        [DefaultValue(42)]
        public int Seed { get; init; } = 42;

        [CommandOption("--no-spell")]
        [Description("Do not correct query words that no product contains.")]
        public bool NoSpell { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("The ranker directory to write (new, empty, or a ranker to replace).")]
        public string Out { get; init; } = string.Empty;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Train) && Parts.Length == 0)
            {
                return ValidationResult.Error("--train (or, when every train query is cross-fitted, --part) is required");
            }

            if (string.IsNullOrWhiteSpace(Dev) || string.IsNullOrWhiteSpace(Products) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--dev, --products and --out are required");
            }

            if (Depth < 1)
            {
                return ValidationResult.Error("--depth must be at least 1");
            }

            if (PartProblem() is { } partProblem)
            {
                return ValidationResult.Error(partProblem);
            }

            if ((Counts("--trees", Trees).Problem ?? Counts("--leaves", Leaves).Problem) is { } listProblem)
            {
                return ValidationResult.Error(listProblem);
            }

            if (TreeSettings().Select(t => t.Problem()).FirstOrDefault(p => p is not null) is { } problem)
            {
                return ValidationResult.Error($"--trees/--leaves/--min-leaf/--learning-rate: {problem}");
            }

            if (Folds is < 0 or 1)
            {
                return ValidationResult.Error("--folds must be 0 (no cross-validation) or at least 2");
            }

            if (Folds == 0 && TreeSettings().Count > 1)
            {
                return ValidationResult.Error($"{TreeSettings().Count} tree settings (--trees {Trees} --leaves {Leaves}) need --folds K to choose between them");
            }

            return KebabCaseList.Parse<FeatureGroup>(Without).Unknown is [_, ..] unknown
                ? ValidationResult.Error($"--without: unknown group(s) {string.Join(", ", unknown)} (use {KebabCaseList.Names<FeatureGroup>()})")
                : base.Validate();
        }

        /// <summary>Every --trees x --leaves combination, in the order given.</summary>
        public List<TreeSettings> TreeSettings() =>
            [.. from trees in Counts("--trees", Trees).Values
                from leaves in Counts("--leaves", Leaves).Values
                select new TreeSettings(trees, leaves, MinimumLeafCount, LearningRate)];

        private static (List<int> Values, string? Problem) Counts(string option, string text)
        {
            var values = new List<int>();
            foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return ([], $"{option}: '{item}' is not a whole number (give one, or several separated by commas)");
                }

                values.Add(value);
            }

            return (values.Distinct().ToList(), null);
        }

        private string? PartProblem()
        {
            if (PartModels.Length != Parts.Length)
            {
                return $"each --part needs its --part-model: {Parts.Length} --part, {PartModels.Length} --part-model";
            }

            if (Rerank is null)
            {
                return PartReranks.Length > 0 ? "--part-rerank needs --rerank (the cross-encoder the ranker is served with)" : null;
            }

            return PartReranks.Length != Parts.Length
                ? $"with --rerank, each --part needs its --part-rerank: {Parts.Length} --part, {PartReranks.Length} --part-rerank"
                : null;
        }

        public HashSet<FeatureGroup> Excluded() => [.. KebabCaseList.Parse<FeatureGroup>(Without).Values];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        RankerDirectory.CheckTarget(settings.Out);
        var text = settings.ToProductText();
        var products = Inputs.Products(settings.Products, settings.ToReadOptions());
        Inputs.CheckFields(text, products, settings.Products);
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<Judgment> Read(string path) => Inputs.Judgments(path, ids, settings.ToReadOptions(), RelevanceScale.Default);
        var train = string.IsNullOrWhiteSpace(settings.Train) ? [] : Read(settings.Train);
        var dev = Read(settings.Dev);
        var parts = settings.Parts.Select(Read).ToList();
        CrossFitting.CheckDisjoint([($"--train ({settings.Train})", train),
            .. parts.Select((part, k) => ($"--part {k + 1} ({settings.Parts[k]})", part))]);
        var (served, biEncoder, crossReference) = await DescribeAsync(settings, settings.Model, settings.Rerank, products, text, [train, dev], cancellationToken);
        var (described, devQueries) = (served[0].ToList(), served[1]);
        var partRecords = new List<RankerPart>();
        for (var k = 0; k < parts.Count; k++)
        {
            var (part, partBi, partCross) = await DescribeAsync(settings, settings.PartModels[k],
                settings.Rerank is null ? null : settings.PartReranks[k], products, text, [parts[k]], cancellationToken);
            var partQueries = part[0];
            described.AddRange(partQueries);
            partRecords.Add(new RankerPart(settings.Parts[k], partBi, partCross, partQueries.Count, partQueries.Sum(q => q.Judged.Count)));
        }

        var trees = settings.TreeSettings();
        var options = new RankerTrainingOptions
        {
            Trees = trees[0],
            Excluded = settings.Excluded(),
            RelevantThreshold = settings.RelevantThreshold,
            Seed = settings.Seed,
            UnjudgedAsIrrelevant = settings.UnjudgedNegatives,
            Parts = partRecords,
        };
        var trained = settings.Folds == 0
            ? Consoles.Error.Status().Start("training LambdaMART and the relevance trees",
                _ => RankerTrainer.Train(described, devQueries, settings.Depth, biEncoder, crossReference, options))
            : Consoles.Error.Status().Start($"cross-validating {trees.Count} tree setting(s) over {settings.Folds} folds, then training",
                _ => RankerSelection.Train(described, devQueries, settings.Depth, biEncoder, crossReference, options, trees, settings.Folds));
        RankerWriter.Write(settings.Out, trained);
        Report(trained.Manifest, settings.Out);
        return 0;
    }

    // Loads a bi-encoder (and cross-encoder), builds the catalogue's first stage with it, describes each judgment set with
    // both, and releases the models.
    private static async Task<(IReadOnlyList<JudgedQuerySignals>[] Described, ModelReference BiEncoder, ModelReference? CrossEncoder)> DescribeAsync(
        Settings settings, string? model, string? rerank, IReadOnlyList<Product> products, ProductText text,
        IReadOnlyList<Judgment>[] judgmentSets, CancellationToken cancellationToken)
    {
        using var encoder = Inputs.Encoder(new ModelSettings { Model = model, Pooling = settings.Pooling, BatchSize = settings.BatchSize });
        var (_, crossEncoder) = rerank is null ? (string.Empty, null) : Inputs.Reranker(rerank, settings.BatchSize);
        try
        {
            var fusion = new FusionOptions();
            var described = await SpectreProgressSink.RunAsync(async sink =>
            {
                using var catalogue = RankingCatalogue.Build(products, settings.ToCorpus(text, BundledModels.Location(model)), encoder, sink, cancellationToken);
                var sets = new List<IReadOnlyList<JudgedQuerySignals>>(judgmentSets.Length);
                foreach (var judgments in judgmentSets)
                {
                    sets.Add(await catalogue.DescribeAsync(judgments, settings.Depth, crossEncoder, fusion, !settings.NoSpell, sink, cancellationToken));
                }

                return sets.ToArray();
            });
            return (described, new ModelReference(BundledModels.Location(model), encoder.Identity),
                crossEncoder is null ? null : new ModelReference(OnnxCrossEncoder.Location(rerank!), crossEncoder.Identity));
        }
        finally
        {
            crossEncoder?.Dispose();
        }
    }

    private static void Report(RankerManifest manifest, string directory)
    {
        if (manifest.CrossValidation is { } validation)
        {
            var folds = new Table().AddColumns($"{validation.FoldCount}-fold CV on train", "NDCG@10", "MRR@10", "RMSE", "");
            foreach (var setting in validation.Settings)
            {
                folds.AddRow($"{setting.Trees.Trees} trees x {setting.Trees.Leaves} leaves", F(setting.Ndcg10), F(setting.Mrr10),
                    setting.Rmse is { } rmse ? F(rmse) : "-", setting.Trees == validation.Chosen ? "chosen" : "");
            }

            Consoles.Out.Write(folds);
        }

        var training = manifest.Training!;
        var table = new Table().AddColumns("dev", "NDCG@10", "MRR@10", "Recall@10", "ROC-AUC", "RMSE");
        table.AddRow(Row("first stage (hybrid)", training.DevFirstStage));
        table.AddRow(Row("learned ranker", training.Dev));
        Consoles.Out.Write(table);
        Consoles.Out.MarkupLineInterpolated(
            $"trained on {training.TrainPairs} pairs of {training.TrainQueries} queries; dev {training.DevPairs} pairs of {training.DevQueries} queries");
        foreach (var part in manifest.Parts)
        {
            Consoles.Out.MarkupLineInterpolated(
                $"  of which {part.Pairs} pairs of {part.Queries} queries from {part.Judgments}, described by {part.BiEncoder.Model}{(part.CrossEncoder is { } cross ? " and " + cross.Model : "")}");
        }

        Consoles.Out.MarkupLineInterpolated(
            $"calibration error (ECE) on dev: {training.CalibrationErrorHeldOut:0.000} with each half calibrated on the other, {training.CalibrationErrorFitted:0.000} as stored (fitted on all of dev)");
        Consoles.Out.MarkupLineInterpolated(
            $"feature importance: {string.Join(", ", manifest.Importance.Take(8).Select(f => $"{f.Feature} {f.Share:0.00}"))}");
        Consoles.Out.MarkupLineInterpolated($"wrote [blue]{directory}[/] (ranker.json, ordering.zip, relevance.zip, reliability.png)");
    }

    private static string[] Row(string name, RankerMetrics m) =>
        [name, F(m.Ndcg10), F(m.Mrr10), F(m.Recall10), m.RocAuc is { } auc ? F(auc) : "-", m.Rmse is { } rmse ? F(rmse) : "-"];

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
