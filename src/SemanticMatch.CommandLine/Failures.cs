using System.Globalization;
using SemanticMatch.Core;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>
/// Turns an exception into what the user sees and the exit code: the user's mistakes get their message and exit code 2;
/// our bugs get their message, a request to report them and exit code 70, with the stack trace in a log file.
/// </summary>
public static class Failures
{
    /// <summary>Exit code for the user's mistakes (bad options, malformed input files, an index searched with another model).</summary>
    public const int UserMistake = 2;

    /// <summary>Exit code for internal errors (EX_SOFTWARE in sysexits.h).</summary>
    public const int Bug = 70;

    /// <summary>Exit code after Ctrl-C.</summary>
    public const int Cancelled = 130;

    /// <summary>Reports <paramref name="exception"/> on standard error and returns the exit code; a bug's details go to a log in <paramref name="logDirectory"/>.</summary>
    public static int Report(Exception exception, string logDirectory)
    {
        var inner = exception is CommandRuntimeException { InnerException: { } cause } ? cause : exception;
        if (inner is OperationCanceledException)
        {
            Consoles.Error.MarkupLine("[yellow]cancelled[/]");
            return Cancelled;
        }

        if (exception is CommandParseException or CommandRuntimeException && inner == exception || IsUserMistake(inner))
        {
            Consoles.Error.MarkupLineInterpolated($"[red]error:[/] {inner.Message}");
            return UserMistake;
        }

        var log = WriteLog(inner, logDirectory);
        Consoles.Error.MarkupLineInterpolated($"[red]internal error:[/] {inner.GetType().Name}: {inner.Message}");
        Consoles.Error.MarkupLineInterpolated(
            $"This is a bug in semmatch, not a mistake in your input; please report it with the details in {log ?? "(the log could not be written)"}");
        return Bug;
    }

    /// <summary>Whether the message alone is what the user needs: their mistake, a file system problem on their paths, or a database that cannot be reached.</summary>
    public static bool IsUserMistake(Exception e) => e is InvalidRequestException or StoreUnavailableException or IOException or UnauthorizedAccessException;

    /// <summary>The folder for crash logs: beside the model store (~/.cache/semanticmatch/logs by default).</summary>
    public static string LogDirectory => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(BundledModels.DefaultStore()))!, "logs");

    private static string? WriteLog(Exception exception, string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory,
                $"crash-{DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId}.log");
            File.WriteAllText(path,
                $"semmatch {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n{DateTimeOffset.UtcNow:O}\n{exception}\n");
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
