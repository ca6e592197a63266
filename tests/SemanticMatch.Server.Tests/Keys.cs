using System.Diagnostics;

namespace SemanticMatch.Server.Tests;

/// <summary>Runs <c>semmatch keys add</c> and returns the secret it prints last.</summary>
internal static class Keys
{
    public static string Add(string dataDirectory, string name, string scopes)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "semmatch.dll"), "keys", "add", "--data", dataDirectory, "--name", name, "--scopes", scopes })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output);
        return output.Trim().Split('\n')[^1].Trim();
    }
}
