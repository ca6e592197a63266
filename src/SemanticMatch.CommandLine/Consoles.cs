using Spectre.Console;

namespace SemanticMatch.CommandLine;

/// <summary>
/// Results go to standard output; progress, status and errors go to standard error, so --json output stays clean.
/// When a stream is redirected, lines are not wrapped (a log or a pipe has no terminal width).
/// </summary>
public static class Consoles
{
    private const int UnwrappedWidth = 4096;

    /// <summary>Standard output.</summary>
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>Standard error.</summary>
    public static IAnsiConsole Error { get; } = Create(Console.Error, Console.IsErrorRedirected);

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }
}
