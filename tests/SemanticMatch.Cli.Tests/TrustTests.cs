using System.Text.Json;
using SemanticMatch.CommandLine;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Cli.Tests;

/// <summary>What the CLI remembers and prints must hold up: model locations, pooling, JSON output, reports, and bugs told apart from mistakes.</summary>
[Collection(SemmatchProcess.Name)]
public sealed class TrustTests(Semmatch semmatch)
{
    private const string Catalogue = "product_id,title\nd1,Cordless Drill 20V\nd2,Titanium Drill Bit Set\nf1,White Kitchen Faucet\nc1,无线电钻 Cordless\n";

    [Fact]
    public void Index_WithARelativeModelPath_IsSearchableFromAnotherDirectory()
    {
        var work = NewFolder("relative");
        semmatch.Run("match", "warm", "up"); // materialises the bundled model into the test's model store
        Semmatch.CopyDirectory(Path.Combine(semmatch.Root, "cache", "models", "minilm"), Path.Combine(work, "my-model"));
        File.WriteAllText(Path.Combine(work, "p.csv"), Catalogue);

        var built = semmatch.RunIn(work, "index", "--products", "p.csv", "--out", "idx", "--model", "./my-model");
        var elsewhere = NewFolder("elsewhere");
        var searched = semmatch.RunIn(elsewhere, "search", "kitchen faucet", "--index", Path.Combine(work, "idx"), "--json");

        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.True(searched.ExitCode == 0, searched.ToString());
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "idx", "manifest.json"))).RootElement;
        Assert.Equal(Path.Combine(work, "my-model"), manifest.GetProperty("modelSource").GetString());
        Assert.Equal("f1", JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results")[0].GetProperty("product_id").GetString());
    }

    [Fact]
    public void Index_WithMaxPooling_IsSearchedWithMaxPoolingByDefault()
    {
        var work = NewFolder("pooling");
        File.WriteAllText(Path.Combine(work, "p.csv"), Catalogue);

        var built = semmatch.RunIn(work, "index", "--products", "p.csv", "--out", "idx", "--pooling", "max");
        var searched = semmatch.RunIn(work, "search", "kitchen faucet", "--index", "idx", "--method", "dense", "--json");
        var mismatched = semmatch.RunIn(work, "search", "kitchen faucet", "--index", "idx", "--pooling", "mean");

        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.True(searched.ExitCode == 0, searched.ToString());
        Assert.Equal(2, mismatched.ExitCode);
        Assert.Contains("search with --model minilm --pooling max or rebuild the index", mismatched.Stderr);
    }

    [Fact]
    public void SearchJson_CarriesTheSpellingCorrection_AndNonAsciiAsIs()
    {
        var work = NewFolder("json");
        File.WriteAllText(Path.Combine(work, "p.csv"), Catalogue);
        semmatch.RunIn(work, "index", "--products", "p.csv", "--out", "idx");

        var result = semmatch.RunIn(work, "search", "cordles dril", "--index", "idx", "--method", "bm25", "--json", "--top", "5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("cordles dril", json.GetProperty("query").GetString());
        Assert.Equal("cordless drill", json.GetProperty("searched").GetString());
        Assert.True(json.GetProperty("corrected").GetBoolean());
        Assert.Equal("bm25", json.GetProperty("method").GetString());
        Assert.Contains("无线电钻 Cordless", result.Stdout);
        Assert.DoesNotContain("\\u", result.Stdout);
    }

    [Fact]
    public void Eval_NoPairRelevant_WritesAValidReport_AndWarns()
    {
        var work = NewFolder("eval");
        File.WriteAllText(Path.Combine(work, "p.csv"), Catalogue);
        File.WriteAllText(Path.Combine(work, "j.csv"), "query,product_id,relevance\ndrill,d1,1\ndrill,d2,0\nfaucet,f1,1\n");

        var result = semmatch.RunIn(work, "eval", "--products", "p.csv", "--judgments", "j.csv", "--out", "report", "--methods", "bm25");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no judgment has relevance >= 2.5 (--relevant-threshold): no pair counts as relevant", result.Stderr);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "report", "report.json"))).RootElement;
        Assert.Equal(JsonValueKind.Null, report.GetProperty("methods")[0].GetProperty("threshold").ValueKind);
    }

    [Fact]
    public void Failures_ABug_ExitsWith70_AndLogsTheStackTrace()
    {
        var logs = NewFolder("logs");
        Exception bug;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            bug = e;
        }

        var code = Failures.Report(bug, logs);

        Assert.Equal(70, code);
        var log = File.ReadAllText(Assert.Single(Directory.GetFiles(logs)));
        Assert.Contains("System.InvalidOperationException: boom", log);
        Assert.Contains("   at ", log);
    }

    [Fact]
    public void Failures_UserMistakes_ExitWith2_AndLogNothing()
    {
        var logs = NewFolder("no-logs");

        Assert.Equal(2, Failures.Report(new InputFormatException("p.csv", 3, "title", "bad"), logs));
        Assert.Equal(2, Failures.Report(new UserError("--top must be at least 1"), logs));
        Assert.Equal(70, Failures.Report(new ArgumentException("an engine contract was broken"), logs));
        Assert.Single(Directory.GetFiles(logs)); // only the bug was logged
    }

    private string NewFolder(string name)
    {
        var path = Path.Combine(semmatch.Root, name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
