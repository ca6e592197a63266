using System.Diagnostics;
using SemanticMatch.CommandLine;
using Spectre.Console;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>
/// <c>semmatch train</c> runs the separate <c>semmatch-train</c> tool, so that the 1 GB libtorch that only training
/// needs is not part of the search and serve tool.
/// </summary>
internal static class TrainingTool
{
    private const string Name = "semmatch-train";

    /// <summary>Environment variable telling semmatch-train which command line ran it (read by its Program).</summary>
    public const string InvokedAsVariable = "SEMANTICMATCH_INVOKED_AS";

    /// <summary>Runs semmatch-train with <paramref name="args"/> on this console and returns its exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        if (Locate() is not { } start)
        {
            Consoles.Error.MarkupLine(
                $"[red]error:[/] training needs the {Name} tool (it carries TorchSharp and libtorch, which searching does not need). " +
                $"Install it with 'dotnet tool install --global SemanticMatch.Train.Tool' (add '--add-source DIR' for a local package folder), " +
                $"or run it from the repository: 'dotnet run -c Release --project src/SemanticMatch.Cli.Train -- ...'.");
            return Failures.UserMistake;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[InvokedAsVariable] = "semmatch train"; // its help and errors name the command the user typed

        // Ctrl-C reaches the child as well (same process group): it saves a checkpoint and exits, and this process waits for it.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    // Beside this tool (the repository's test and publish folders) it runs under the same dotnet host; in a clone, the
    // training project's build output (or 'dotnet run' of it when not built yet); otherwise from PATH, where
    // 'dotnet tool install --global' puts it.
    private static ProcessStartInfo? Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, Name + ".dll");
        if (File.Exists(beside))
        {
            return Dotnet(beside);
        }

        if (InClone() is { } clone)
        {
            return clone;
        }

        var executable = OperatingSystem.IsWindows() ? Name + ".exe" : Name;
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .Where(File.Exists)
            .Select(path => new ProcessStartInfo(path))
            .FirstOrDefault();
    }

    // src/SemanticMatch.Cli/bin/CONFIGURATION/net10.0/ -> src/SemanticMatch.Cli.Train, built in the same configuration.
    private static ProcessStartInfo? InClone()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        if (output.Parent?.Parent is not { Name: "bin" } bin || bin.Parent?.Parent is not { } src || output.Parent is not { } configuration)
        {
            return null;
        }

        var project = Path.Combine(src.FullName, "SemanticMatch.Cli.Train");
        if (!File.Exists(Path.Combine(project, "SemanticMatch.Cli.Train.csproj")))
        {
            return null;
        }

        var built = Path.Combine(project, "bin", configuration.Name, output.Name, Name + ".dll");
        if (File.Exists(built))
        {
            return Dotnet(built);
        }

        return Dotnet("run", "--project", project, "-c", configuration.Name, "-v", "q", "--");
    }

    private static ProcessStartInfo Dotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
