using System.ComponentModel;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.CommandLine;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch feedback export</c>: turns a collection's search logs into judgments for <c>semmatch train</c>.</summary>
internal sealed class FeedbackExportCommand : AsyncCommand<FeedbackExportCommand.Settings>
{
    internal sealed class Settings : StoreSettings
    {
        [CommandOption("-c|--collection <NAME>")]
        [Description("The collection whose feedback to export.")]
        public string Collection { get; init; } = string.Empty;

        [CommandOption("-o|--out <FILE>")]
        [Description("Judgments CSV to write (query,product_id,relevance: 3 bought, 2 clicked, 1 shown but not clicked).")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--min-impressions <N>")]
        [Description("Times a product must have been shown without a click to count as a weak negative (relevance 1).")]
        [DefaultValue(2)]
        public int MinImpressions { get; init; } = 2;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Collection) || string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--collection and --out are required");
            }

            return MinImpressions < 1 ? ValidationResult.Error("--min-impressions must be at least 1") : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Inputs.CheckOutputFile("--out", settings.Out);
        int rows;
        if (settings.Postgres is { } postgres)
        {
            using var models = new ModelProvider();
            await using var store = await PostgresCollectionStore.OpenAsync(models, postgres, cancellationToken);
            rows = await FeedbackExport.ExportAsync(new PostgresFeedbackStore(store), settings.Collection, settings.Out,
                new ExportOptions { MinImpressions = settings.MinImpressions }, cancellationToken);
        }
        else
        {
            using var files = new FileFeedbackStore(settings.DataDirectory);
            rows = await FeedbackExport.ExportAsync(files, settings.Collection, settings.Out, new ExportOptions { MinImpressions = settings.MinImpressions },
                cancellationToken);
        }

        Consoles.Out.MarkupLineInterpolated($"wrote {rows} judgments to [blue]{settings.Out}[/]; train with: semmatch train --train {settings.Out} --base MODEL ...");
        return 0;
    }
}
