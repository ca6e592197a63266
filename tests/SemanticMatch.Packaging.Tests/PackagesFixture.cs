using System.Diagnostics;
using System.Xml.Linq;

namespace SemanticMatch.Packaging.Tests;

/// <summary>Packs the tools and the libraries of this checkout once (dotnet pack of the built projects) into a scratch folder.</summary>
public sealed class PackagesFixture : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string[] s_packed =
    [
        "SemanticMatch.Cli", "SemanticMatch.Cli.Train", "SemanticMatch.Client", "SemanticMatch.Core", "SemanticMatch.Onnx",
    ];

    public PackagesFixture()
    {
        Directory.CreateDirectory(Folder);
        foreach (var project in s_packed)
        {
            var result = Run("dotnet", RepositoryRoot, null,
                "pack", Path.Combine(RepositoryRoot, "src", project, project + ".csproj"), "-c", Configuration, "--no-build", "-o", Folder);
            Assert.True(result.ExitCode == 0, $"dotnet pack {project} failed:\n{result}");
        }
    }

    /// <summary>Scratch root: the packages, installed tools, consumer projects and model stores of these tests.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "semmatch-packaging-" + Guid.NewGuid().ToString("N"));

    /// <summary>The folder holding the .nupkg files.</summary>
    public string Folder => Path.Combine(Root, "packages");

    /// <summary>The checkout these tests pack (the folder holding SemanticMatch.slnx).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The version every package of this checkout has (Directory.Build.props).</summary>
    public static string Version { get; } = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"))
        .Descendants("Version").Single().Value;

    public string Package(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    /// <summary>Runs a process to completion (10 minutes at most) and returns its exit code and output.</summary>
    public static Result Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SemanticMatch.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no SemanticMatch.slnx above {AppContext.BaseDirectory}");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}

[CollectionDefinition(Name)]
public sealed class Packages : ICollectionFixture<PackagesFixture>
{
    public const string Name = "packages";
}
