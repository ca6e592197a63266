using System.Diagnostics;

namespace SemanticMatch.Cli.Tests;

/// <summary>Runs the real semmatch executable (built next to the tests) in a child process.</summary>
public sealed class Semmatch : IDisposable
{
    public Semmatch() => Directory.CreateDirectory(Root);

    /// <summary>Scratch directory; also holds the model store and demo index of these runs.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "semmatch-cli-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content);
        return path;
    }

    public Result Run(params string[] args) => RunIn(Root, args);

    /// <summary>Runs semmatch with <paramref name="workingDirectory"/> as its current directory.</summary>
    public Result RunIn(string workingDirectory, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"semmatch {string.Join(' ', args)} did not finish");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>How to start semmatch with these arguments (for tests that control the process themselves).</summary>
    public ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "semmatch.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SEMANTICMATCH_MODELS"] = Path.Combine(Root, "cache", "models");
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        return start;
    }

    /// <summary>Copies a directory tree.</summary>
    public static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}

[CollectionDefinition(Name)]
public sealed class SemmatchProcess : ICollectionFixture<Semmatch>
{
    public const string Name = "semmatch process";
}
