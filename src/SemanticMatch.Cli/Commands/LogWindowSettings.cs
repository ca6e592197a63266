using System.ComponentModel;
using SemanticMatch.Collections.Feedback;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary>Options of the commands that read one collection's traffic log over a window (analytics, experiment report, retrain).</summary>
internal abstract class LogWindowSettings : StoreSettings
{
    [CommandOption("-c|--collection <NAME>")]
    [Description("The collection whose log to read.")]
    public string Collection { get; init; } = string.Empty;

    [CommandOption("--from <TIME>")]
    [Description("Start of the window (ISO 8601 date or time, UTC unless it says otherwise). Default: 30 days before --to.")]
    public string? From { get; init; }

    [CommandOption("--to <TIME>")]
    [Description("End of the window, exclusive. Default: now.")]
    public string? To { get; init; }

    /// <summary>The window the options give, as of <paramref name="now"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Window(DateTimeOffset now) => AnalyticsWindow.Parse(From, To, now, "--from", "--to");

    /// <summary>What is wrong with the command's own options (checked after --collection, before the window), or null.</summary>
    protected virtual string? Problem() => null;

    public sealed override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Collection))
        {
            return ValidationResult.Error("--collection is required");
        }

        if (Problem() is { } problem)
        {
            return ValidationResult.Error(problem);
        }

        try
        {
            _ = Window(DateTimeOffset.UtcNow);
        }
        catch (Core.InvalidRequestException e)
        {
            return ValidationResult.Error(e.Message);
        }

        return base.Validate();
    }
}
