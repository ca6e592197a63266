using System.Diagnostics;

namespace SemanticMatch.Testing;

/// <summary>The checkout the tests run from, the tools installed in it (.ci/run installs them), and running programs.</summary>
public static class Repository
{
    /// <summary>The directory holding SemanticMatch.slnx above the test binaries, or null.</summary>
    public static DirectoryInfo? Root { get; } = FindRoot();

    /// <summary>A file of an npm tool under tools/, or the reason it is not there (to skip with).</summary>
    public static (string? Path, string? Missing) Tool(string tool, params string[] file)
    {
        if (Root is null)
        {
            return (null, "the repository root (SemanticMatch.slnx) was not found above the test binaries");
        }

        var path = System.IO.Path.Combine([Root.FullName, "tools", tool, .. file]);
        return File.Exists(path) ? (path, null) : (null, $"{tool} is not installed ({path} is missing): run npm ci --prefix tools/{tool}");
    }

    /// <summary>Runs <c>node</c> with these arguments and environment in the repository root.</summary>
    public static Task<(int Exit, string Output, string Errors)> NodeAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null) => RunAsync("node", arguments, Root?.FullName, environment, timeout);

    /// <summary>Runs a program to its end; returns its exit code, standard output and error, failing the test on timeout (two minutes unless told).</summary>
    public static async Task<(int Exit, string Output, string Errors)> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var limit = timeout ?? TimeSpan.FromMinutes(2);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', start.ArgumentList)} ran past {limit}");
        }

        return (process.ExitCode, await output, await errors);
    }

    private static DirectoryInfo? FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "SemanticMatch.slnx")))
        {
            root = root.Parent;
        }

        return root;
    }
}
