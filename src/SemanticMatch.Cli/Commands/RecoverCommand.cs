using System.ComponentModel;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Storage;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Cli.Commands;

/// <summary>
/// <c>semmatch recover</c>: salvages an embedded collection that the server refuses to open because a file is damaged,
/// keeping a copy of each damaged file and saying what was lost.
/// </summary>
internal sealed class RecoverCommand : Command<RecoverCommand.Settings>
{
    internal sealed class Settings : DataSettings
    {
        [CommandOption("--collection <NAME>")]
        [Description("The collection to salvage (the server names it at start: \"collection 'NAME' is not served: ...\").")]
        public string Collection { get; init; } = string.Empty;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Collection) ? ValidationResult.Error("--collection is required") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var salvaged = CollectionRecovery.Salvage(settings.DataDirectory, settings.Collection);
        if (salvaged.Count == 0)
        {
            Console.Out.WriteLine($"collection '{settings.Collection}': no damaged log or snapshot; nothing changed");
            return 0;
        }

        foreach (var file in salvaged)
        {
            Console.Out.WriteLine($"{file.File}: kept {file.Kept}; lost {file.Lost}; the damaged file is kept as {file.Copy}");
        }

        Console.Out.WriteLine($"collection '{settings.Collection}' opens again at the next 'semmatch serve'");
        return 0;
    }
}
