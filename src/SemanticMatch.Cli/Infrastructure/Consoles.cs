using Spectre.Console;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>Results go to standard output; progress, status and errors go to standard error, so --json output stays clean.</summary>
internal static class Consoles
{
    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out { get; } = AnsiConsole.Console;

    /// <summary>Standard error.</summary>
    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });
}
