using System.ComponentModel;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>Options of commands that use the service's data directory.</summary>
public class DataSettings : CommandSettings
{
    /// <summary>The --data option as given.</summary>
    [CommandOption("--data <DIR>")]
    [Description("The service's data directory (collections, keys). Default: $XDG_DATA_HOME/semanticmatch or ~/.local/share/semanticmatch.")]
    public string? Data { get; init; }

    /// <summary>The data directory in force.</summary>
    public string DataDirectory => Data ?? Path.Combine(
        Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
        "semanticmatch");
}
