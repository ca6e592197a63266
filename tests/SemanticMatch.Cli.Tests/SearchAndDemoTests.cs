using System.Text.Json;

namespace SemanticMatch.Cli.Tests;

/// <summary>Golden checks of the real model on the bundled demo catalogue, through the real executable.</summary>
[Collection(SemmatchProcess.Name)]
public sealed class SearchAndDemoTests(Semmatch semmatch)
{
    [Theory]
    [InlineData("cordless drill", "Drill")]
    [InlineData("cordles dril", "Drill")]
    [InlineData("white kitchen faucet", "Kitchen Faucet")]
    public void Search_DemoCatalogue_TopResultsAreTheRightKindOfProduct(string query, string expectedInTitle)
    {
        var result = semmatch.Run("search", query, "--json", "--top", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        var titles = Titles(result.Stdout);
        Assert.Equal(3, titles.Count);
        Assert.All(titles, t => Assert.Contains(expectedInTitle, t, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(titles, t => t.Contains("Bit Set", StringComparison.Ordinal));
    }

    [Fact]
    public void Search_ACollection_OfAServicesDataDirectory_AsTheServiceSearchesIt()
    {
        var data = Path.Combine(semmatch.Root, "served-" + Guid.NewGuid().ToString("N")[..8]);
        using (var server = System.Diagnostics.Process.Start(semmatch.StartInfo(semmatch.Root, "serve", "--data", data, "--urls", "http://127.0.0.1:0"))!)
        {
            while (server.StandardOutput.ReadLine() is { } line && !line.StartsWith("listening on", StringComparison.Ordinal))
            {
            }

            server.Kill(entireProcessTree: true); // the demo collections are durable once it listens
            server.WaitForExit();
        }

        var found = semmatch.Run("search", "cordles dril", "--collection", "demo", "--data", data, "--json", "--top", "3");
        var table = semmatch.Run("search", "white kitchen faucet", "--collection", "demo", "--data", data, "--top", "2");
        var missing = semmatch.Run("search", "drill", "--collection", "nope", "--data", data);

        Assert.True(found.ExitCode == 0, found.ToString());
        var answer = JsonDocument.Parse(found.Stdout).RootElement;
        Assert.Equal("cordless drill", answer.GetProperty("searched").GetString());
        Assert.True(answer.GetProperty("corrected").GetBoolean());
        Assert.True(answer.GetProperty("total").GetInt32() >= 3);
        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Contains("Drill", r.GetProperty("record").GetProperty("title").GetString(), StringComparison.Ordinal));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Kitchen Faucet", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 of ", table.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no collection 'nope'", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_Explain_ExplainsTheTopResultsInJsonAndTable()
    {
        var json = semmatch.Run("search", "white kitchen faucet", "--top", "12", "--explain", "--json");
        var table = semmatch.Run("search", "white kitchen faucet", "--top", "3", "--explain");

        Assert.True(json.ExitCode == 0, json.ToString());
        var results = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(12, results.Count);
        Assert.All(results.Take(10), r => Assert.Equal(["white", "kitchen", "faucet"],
            r.GetProperty("explanation").GetProperty("bm25").GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("word").GetString())));
        Assert.All(results.Skip(10), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("explanation").ValueKind));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("#1: BM25 white", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("| hybrid", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Json_GivesTermsWordsAndSharesForTheSpellCorrectedQuery()
    {
        var result = semmatch.Run("explain", "cordles dril", "DM0004", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var explanation = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("explanation");
        Assert.Equal("cordless drill", explanation.GetProperty("searched").GetString());
        var bm25 = explanation.GetProperty("bm25");
        var terms = bm25.GetProperty("terms").EnumerateArray().ToList();
        Assert.Equal(["cordless", "drill"], terms.Select(t => t.GetProperty("word").GetString()));
        Assert.All(terms, t => Assert.True(t.GetProperty("contribution").GetDouble() > 0));
        Assert.Equal(bm25.GetProperty("score").GetDouble(), terms.Sum(t => t.GetProperty("contribution").GetDouble()), 3);
        var dense = explanation.GetProperty("dense");
        Assert.Equal(1, dense.GetProperty("rank").GetInt32());
        var productWords = dense.GetProperty("productWords").EnumerateArray()
            .OrderByDescending(w => w.GetProperty("contribution").GetDouble()).Select(w => w.GetProperty("word").GetString()).ToList();
        Assert.Contains(productWords[0], new[] { "Cordless", "Drill" });
        var fusion = explanation.GetProperty("fusion");
        Assert.Equal(1, fusion.GetProperty("bm25Share").GetDouble() + fusion.GetProperty("denseShare").GetDouble(), 4);
    }

    [Fact]
    public void Demo_PrintsAllThreeMethodsForTheDefaultQueries()
    {
        var result = semmatch.Run("demo", "--top", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("cordless drill", result.Stdout);
        Assert.Contains("white kitchen faucet", result.Stdout);
        Assert.Contains("showing results for cordless drill", result.Stdout);
        Assert.Contains("hybrid", result.Stdout);
        Assert.Contains("Pull-Down Kitchen", result.Stdout);
    }

    [Fact]
    public void Match_ScoresTheDrillAboveTheDrillBit()
    {
        var result = semmatch.Run("match", "cordless drill", "20V cordless drill driver kit", "titanium drill bit set", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var scores = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("score").GetDouble()).ToList();
        Assert.True(scores[0] > scores[1], result.Stdout);
    }

    [Fact]
    public void Match_Jaccard_NeedsNoModel()
    {
        var result = semmatch.Run("match", "cordless drill", "cordless drill kit", "--similarity", "jaccard", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2.0 / 3, JsonDocument.Parse(result.Stdout).RootElement[0].GetProperty("score").GetDouble(), 5);
    }

    [Fact]
    public void Help_ExplainsOptions()
    {
        var result = semmatch.Run("eval", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--relevant-threshold", result.Stdout);
        Assert.Contains("relevance >= T", result.Stdout);
    }

    private static List<string> Titles(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("results").EnumerateArray().Select(e => e.GetProperty("title").GetString()!).ToList();
}
