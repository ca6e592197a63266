using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>Runs a configured Spectre command app the way every semmatch tool does: options checked first, Ctrl-C cancels.</summary>
public static class CommandLineHost
{
    /// <summary>
    /// Checks the <paramref name="args"/> given to <paramref name="tool"/> against the settings of each command (key: the command's words, "" for the default
    /// command of a single-command tool), then runs <paramref name="app"/>; returns the process exit code.
    /// </summary>
    public static int Run(string tool, ICommandApp app, string[] args, IReadOnlyDictionary<string, Type> settingsByCommand)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (OptionChecker.Problem(tool, args, settingsByCommand) is { } problem)
        {
            Consoles.Error.MarkupLineInterpolated($"[red]error:[/] {problem}");
            return Failures.UserMistake;
        }

        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler cancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += cancel;
        try
        {
            return app.Run(args, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= cancel;
        }
    }
}
