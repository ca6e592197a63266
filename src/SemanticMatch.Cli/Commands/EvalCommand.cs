using System.ComponentModel;
using System.Text.Json;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.CommandLine;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch eval</c>: relevance and speed of BM25, dense and hybrid search on labelled pairs.</summary>
internal sealed class EvalCommand : AsyncCommand<EvalCommand.Settings>
{
    // Properties of EvalOptions whose option has another name.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.Ordinal)
    {
        [nameof(EvalOptions.RerankFirstStageWeight)] = nameof(Settings.FirstStageWeight),
    };

    internal sealed class Settings : CorpusSettings
    {
        [CommandOption("-p|--products <FILE>")]
        [Description("The whole catalogue (retrieval metrics search all of it).")]
        public string Products { get; init; } = string.Empty;

        [CommandOption("-j|--judgments <FILE>")]
        [Description("Labelled pairs: query,product_id,relevance (CSV or .jsonl).")]
        public string Judgments { get; init; } = string.Empty;

        [CommandOption("--methods <LIST>")]
        [Description("Comma-separated methods to evaluate: bm25, dense, hybrid.")]
        [DefaultValue("bm25,dense,hybrid")]
        public string Methods { get; init; } = "bm25,dense,hybrid";

        [CommandOption("--models <LIST>")]
        [Description("Comma-separated dense models to compare, each MODEL, MODEL:POOLING or LABEL=MODEL (e.g. minilm,minilm:max,arctic,minilm-int8). Default: --model.")]
        public string? Models { get; init; }

        [CommandOption("--relevant-threshold <T>")]
        [Description("A pair is relevant for Recall, MRR, ROC-AUC, accuracy and F1 when relevance >= T (2.5 for Home Depot's 1-3 scale).")]
        [DefaultValue(2.5)]
        public double RelevantThreshold { get; init; } = 2.5;

        [CommandOption("--scale-min <R>")]
        [Description("Lowest relevance of the scale, which gets NDCG gain 0 (default: the smallest relevance in the judgments).")]
        public double? ScaleMinimum { get; init; }

        [CommandOption("--scale-max <R>")]
        [Description("Highest relevance of the scale; a judgment above it (or below --scale-min) is an error. Without them, relevance must lie in [[-100, 100]].")]
        public double? ScaleMaximum { get; init; }

        [CommandOption("--fusion <RULE>")]
        [Description("Hybrid fusion: weighted (min-max normalised scores) or rrf (reciprocal ranks).")]
        [DefaultValue(FusionMethod.Weighted)]
        [TypeConverter(typeof(KebabCaseEnumConverter<FusionMethod>))]
        public FusionMethod Fusion { get; init; } = FusionMethod.Weighted;

        [CommandOption("--dense-weight <W>")]
        [Description("Weight of the dense list in weighted fusion, 0..1.")]
        [DefaultValue(FusionOptions.DefaultDenseWeight)]
        public double DenseWeight { get; init; } = FusionOptions.DefaultDenseWeight;

        [CommandOption("--no-spell")]
        [Description("Do not correct query words that no product contains (e.g. \"dril\" -> \"drill\").")]
        public bool NoSpell { get; init; }

        [CommandOption("--rerank <DIR>")]
        [Description("Re-rank the top results with a cross-encoder model directory (from 'semmatch train --objective cross' or 'cross-graded'); adds bm25+rerank and hybrid+rerank rows, and RMSE for a graded one. LABEL=DIR names it in the report; DIR+DIR averages several (an ensemble).")]
        public string? Rerank { get; init; }

        [CommandOption("--rerank-depth <N>")]
        [Description("How many first-stage results the cross-encoder re-scores.")]
        [DefaultValue(SearchOptions.DefaultRerankDepth)]
        public int RerankDepth { get; init; } = SearchOptions.DefaultRerankDepth;

        [CommandOption("--first-stage-weight <W>")]
        [Description("With --rerank: order the re-scored results by (1 - W) * cross-encoder + W * first-stage score, both min-max normalised (0 = cross-encoder alone).")]
        [DefaultValue(0.0)]
        public double FirstStageWeight { get; init; }

        [CommandOption("--ranker <DIRS>")]
        [Description("Comma-separated learned ranker directories (from 'semmatch train-ranker'), each DIR or LABEL=DIR: adds a row per ranker for the full pipeline (hybrid first stage of the ranker's bi-encoder, its top results ordered by the ranker), with RMSE of its predicted relevance and ECE of its probabilities. Each loads the models it records.")]
        public string? Ranker { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Directory for report.md and report.json.")]
        public string Out { get; init; } = string.Empty;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Products) || string.IsNullOrWhiteSpace(Judgments) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--products, --judgments and --out are required");
            }

            if (MethodList().Count == 0)
            {
                return ValidationResult.Error("--methods: give at least one of bm25, dense, hybrid");
            }

            if (ScaleMinimum is { } min && ScaleMaximum is { } max && min >= max)
            {
                return ValidationResult.Error($"--scale-min ({min}) must be below --scale-max ({max})");
            }

            var unknown = MethodList().Where(m => !Enum.TryParse<SearchMethod>(m, ignoreCase: true, out _)).ToList();
            if (unknown.Count > 0)
            {
                return ValidationResult.Error($"unknown method(s) in --methods: {string.Join(", ", unknown)} (use bm25, dense, hybrid)");
            }


            return OptionNames.Error<Settings>(SearchSettings().Problem(), s_renamed) ?? base.Validate();
        }

        /// <summary>The evaluation's search settings (fusion and re-ranking).</summary>
        public EvalOptions SearchSettings() => new()
        {
            Fusion = new FusionOptions { Method = Fusion, DenseWeight = DenseWeight },
            SpellCorrection = !NoSpell,
            RerankDepth = RerankDepth,
            RerankFirstStageWeight = FirstStageWeight,
        };

        public List<string> MethodList() =>
            Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).ToList();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Inputs.CheckOutputDirectory("--out", settings.Out);
        foreach (var spec in RankerSpecs(settings))
        {
            RankerDirectory.ReadManifest(spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..]); // before the slow part
        }

        var text = settings.ToProductText();
        var products = Inputs.Products(settings.Products, settings.ToReadOptions());
        Inputs.CheckFields(text, products, settings.Products);
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var scale = new RelevanceScale(settings.ScaleMinimum ?? RelevanceScale.Default.Minimum, settings.ScaleMaximum ?? RelevanceScale.Default.Maximum);
        var judgments = Inputs.Judgments(settings.Judgments, ids, settings.ToReadOptions(), scale);
        if (!judgments.Any(j => j.Relevance >= settings.RelevantThreshold))
        {
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]warning:[/] no judgment has relevance >= {settings.RelevantThreshold} (--relevant-threshold): no pair counts as relevant, so Recall, MRR, ROC-AUC and F1 are undefined");
        }

        var methods = settings.MethodList();
        var options = settings.SearchSettings() with
        {
            RelevantThreshold = settings.RelevantThreshold,
            ScaleMinimum = settings.ScaleMinimum,
            Corpus = settings.ToCorpus(text, settings.Model ?? BundledModels.DefaultKey),
            IncludeBm25 = methods.Contains("bm25"),
            IncludeDense = methods.Contains("dense"),
            IncludeHybrid = methods.Contains("hybrid"),
        };
        var needsModels = options.IncludeDense || options.IncludeHybrid;
        var (rerankLabel, reranker) = settings.Rerank is null ? (string.Empty, null) : Inputs.Reranker(settings.Rerank, settings.BatchSize);
        options = options with
        {
            Reranker = reranker is null ? null : new EvalReranker(rerankLabel, reranker),
        };
        var encoders = needsModels ? LoadModels(settings) : [];
        try
        {
            var models = encoders.Select(e => new EvalModel(e.Label, e.Encoder)).ToList();
            var results = (await SpectreProgressSink.RunAsync(sink => new Evaluator(options, sink).RunAsync(products, judgments, models, cancellationToken))).ToList();
            foreach (var spec in RankerSpecs(settings))
            {
                results.Add(await EvaluateRankerAsync(spec, options, products, judgments, settings.BatchSize, cancellationToken));
            }

            var report = new EvalReport
            {
                Date = DateTimeOffset.UtcNow,
                Machine = MachineInfo.Describe(),
                Command = "semmatch " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)),
                Products = settings.Products,
                Judgments = settings.Judgments,
                ProductCount = products.Count,
                QueryCount = judgments.Select(j => j.Query).Distinct().Count(),
                PairCount = judgments.Count,
                RelevantThreshold = settings.RelevantThreshold,
                ScaleMinimum = settings.ScaleMinimum ?? judgments.Min(j => j.Relevance),
                Methods = results,
            };
            Write(settings.Out, report);
            return 0;
        }
        finally
        {
            foreach (var (_, encoder) in encoders)
            {
                encoder.Dispose();
            }

            reranker?.Dispose();
        }
    }

    private static string[] RankerSpecs(Settings settings) =>
        (settings.Ranker ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<MethodResult> EvaluateRankerAsync(string spec, EvalOptions options, IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments,
        int batchSize, CancellationToken cancellationToken)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var directory = equals > 0 ? spec[(equals + 1)..] : spec;
        var label = equals > 0 ? spec[..equals] : Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        var (ranker, crossEncoder) = RankerInputs.Open(directory, null, batchSize);
        using (crossEncoder)
        using (var encoder = Inputs.Encoder(new ModelSettings { Model = ranker.Manifest.BiEncoder.Model, BatchSize = batchSize }))
        {
            RankerInputs.WarnIfOtherEncoder(ranker, encoder.Identity);
            return await SpectreProgressSink.RunAsync(sink => new Evaluator(options, sink).RunRankerAsync(label, products, judgments, ranker, encoder, crossEncoder, cancellationToken));
        }
    }

    private static List<(string Label, OnnxEncoder Encoder)> LoadModels(Settings settings)
    {
        var specs = (settings.Models ?? settings.Model ?? BundledModels.DefaultKey)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var loaded = new List<(string, OnnxEncoder)>();
        foreach (var spec in specs)
        {
            var (label, model, pooling) = ParseSpec(spec, settings.Pooling);
            loaded.Add((label, Inputs.Encoder(new ModelSettings { Model = model, Pooling = pooling, BatchSize = settings.BatchSize })));
        }

        return loaded;
    }

    // MODEL, MODEL:POOLING, or LABEL=MODEL[:POOLING] (a label keeps long paths out of the report).
    private static (string Label, string Model, Pooling? Pooling) ParseSpec(string spec, Pooling? fallback)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var label = equals > 0 ? spec[..equals] : spec;
        var model = spec[(equals + 1)..];
        var colon = model.LastIndexOf(':');
        if (colon <= 0 || Directory.Exists(model))
        {
            return (label, model, fallback);
        }

        return Enum.TryParse<Pooling>(model[(colon + 1)..], ignoreCase: true, out var pooling)
            ? (label, model[..colon], pooling)
            : throw new UserError($"--models entry '{spec}': unknown pooling '{model[(colon + 1)..]}' (use mean, cls or max)");
    }

    private static void Write(string directory, EvalReport report)
    {
        Directory.CreateDirectory(directory);
        var markdown = EvalMarkdown.Render(report);
        File.WriteAllText(Path.Combine(directory, "report.md"), markdown);
        File.WriteAllText(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(report, JsonOutput.Options));
        Console.Out.WriteLine(markdown); // plain: Spectre would wrap the table at the terminal width
        Consoles.Error.MarkupLineInterpolated($"wrote [blue]{Path.Combine(directory, "report.md")}[/] and report.json");
    }

    private static string Quote(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg;
}
