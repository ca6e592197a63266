using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Server.Feedback;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch feedback export</c>: turns a collection's search logs into judgments for <c>semmatch train</c>.</summary>
internal sealed class FeedbackExportCommand : Command<FeedbackExportCommand.Settings>
{
    internal sealed class Settings : DataSettings
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

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Inputs.CheckOutputFile("--out", settings.Out);
        var rows = FeedbackExport.Export(settings.DataDirectory, settings.Collection, settings.Out,
            new ExportOptions { MinImpressions = settings.MinImpressions });
        Consoles.Out.MarkupLineInterpolated($"wrote {rows} judgments to [blue]{settings.Out}[/]; train with: semmatch train --train {settings.Out} --base MODEL ...");
        return 0;
    }
}
