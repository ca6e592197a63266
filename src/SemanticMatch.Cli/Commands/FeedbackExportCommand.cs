using System.ComponentModel;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch feedback export</c>: turns a collection's logged searches and events into judgments for <c>semmatch train</c>.</summary>
internal sealed class FeedbackExportCommand : AsyncCommand<FeedbackExportCommand.Settings>
{
    internal sealed class Settings : StoreSettings
    {
        [CommandOption("-c|--collection <NAME>")]
        [Description("The collection whose traffic log to export.")]
        public string Collection { get; init; } = string.Empty;

        [CommandOption("-o|--out <FILE>")]
        [Description("Judgments CSV to write: query,product_id,relevance,impressions,clicks.")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--click-model <MODEL>")]
        [Description("position-based: relevance = the estimated probability of attraction, 0 to 1, position bias removed (train with --relevant-threshold 0.5); naive: 3 bought, 2 clicked, 1 shown but not clicked, 0 rejected.")]
        [DefaultValue("position-based")]
        public string ClickModel { get; init; } = "position-based";

        [CommandOption("--min-evidence <N>")]
        [Description("Impressions a (query, product) pair needs before it is judged (position-based).")]
        [DefaultValue(3)]
        public int MinEvidence { get; init; } = 3;

        [CommandOption("--skip-above")]
        [Description("Count hits shown above the last click of a search as examined, the cascade assumption (position-based; off: shoppers scan a grid).")]
        public bool SkipAbove { get; init; }

        [CommandOption("--max-clicks-per-search <N>")]
        [Description("Leave out sessions that click more hits than this per search on average (robots).")]
        [DefaultValue(4.0)]
        public double MaxClicksPerSearch { get; init; } = 4;

        [CommandOption("--min-impressions <N>")]
        [Description("Times a product must have been shown without a click to count as a weak negative, relevance 1 (naive).")]
        [DefaultValue(2)]
        public int MinImpressions { get; init; } = 2;

        public JudgmentOptions ToOptions() => new()
        {
            ClickModel = ClickModels.Parse(ClickModel, "--click-model"),
            MinEvidence = MinEvidence,
            SkipAbove = SkipAbove,
            MaxClicksPerSearch = MaxClicksPerSearch,
            MinImpressions = MinImpressions,
        };

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Collection) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--collection and --out are required");
            }

            try
            {
                return OptionNames.Error<Settings>(ToOptions().Problem()) ?? base.Validate();
            }
            catch (Core.InvalidRequestException e)
            {
                return ValidationResult.Error(e.Message);
            }
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Inputs.CheckOutputFile("--out", settings.Out);
        var judgments = await settings.WithTrafficLogAsync(settings.Collection,
            log => JudgmentEstimator.EstimateAsync(log, settings.Collection, settings.ToOptions(), cancellationToken), cancellationToken);
        await File.WriteAllTextAsync(settings.Out, judgments.ToCsv(), cancellationToken);
        var evidence = judgments.Evidence;
        Consoles.Out.MarkupLineInterpolated(
            $"wrote {judgments.Judgments.Count} judgments to [blue]{settings.Out}[/] from {evidence.Searches} searches ({evidence.SearchesWithEvents} with events; {evidence.ExcludedSessions} sessions left out, {evidence.UnmatchedEvents} events without their search)");
        Consoles.Out.MarkupLineInterpolated(
            $"train with: semmatch train --train {settings.Out} --relevant-threshold {(judgments.Model == ClickModel.Naive ? "2" : "0.5")} --base MODEL ...");
        return 0;
    }
}
