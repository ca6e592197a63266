using System.Text;

namespace SemanticMatch.Cli.Tests;

/// <summary>
/// docs/cli.md is each command's own <c>--help</c>, so the reference cannot drift from the tool. After changing a
/// command, regenerate it: <c>SEMMATCH_WRITE_CLI_DOCS=1 dotnet test tests/SemanticMatch.Cli.Tests --filter CliReference</c>.
/// </summary>
[Collection(SemmatchProcess.Name)]
public sealed class CliReferenceTests(Semmatch semmatch)
{
    [Fact]
    public void DocsCliMd_IsEveryCommandsHelp()
    {
        var path = Path.Combine(Testing.Repository.Root!.FullName, "docs", "cli.md");
        var expected = Reference();
        if (Environment.GetEnvironmentVariable("SEMMATCH_WRITE_CLI_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(actual == expected,
            "docs/cli.md differs from the commands' --help: regenerate it with SEMMATCH_WRITE_CLI_DOCS=1 dotnet test tests/SemanticMatch.Cli.Tests --filter CliReference");
    }

    private string Reference()
    {
        var text = new StringBuilder();
        text.Append("# semmatch command reference\n\n");
        text.Append("Generated from each command's `--help` (a test compares; see tests/SemanticMatch.Cli.Tests/CliReferenceTests.cs). ");
        text.Append("From a clone, run a command as `dotnet run --project src/SemanticMatch.Cli -c Release -- COMMAND`.\n\n");
        text.Append(string.Join('\n', BadInputMatrixTests.s_commands.Select(c => $"- [`semmatch {c}`](#semmatch-{c.Replace(' ', '-')})"))).Append("\n\n");
        text.Append("## semmatch\n\n").Append(Help()).Append('\n');
        foreach (var command in BadInputMatrixTests.s_commands)
        {
            text.Append("## semmatch " + command + "\n\n").Append(Help([.. command.Split(' ')])).Append('\n');
        }

        return text.ToString();
    }

    private string Help(params string[] command)
    {
        var result = semmatch.Run([.. command, "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd());
        return "```text\n" + string.Join('\n', lines).Trim('\n') + "\n```\n";
    }
}
