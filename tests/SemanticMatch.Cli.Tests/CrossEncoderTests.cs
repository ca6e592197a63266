using System.Text.Json;
using System.Text.RegularExpressions;

namespace SemanticMatch.Cli.Tests;

/// <summary>Train a cross-encoder through the real executable, then re-rank with it in eval and search.</summary>
[Collection(SemmatchProcess.Name)]
public sealed class CrossEncoderTests(Semmatch semmatch)
{
    private static readonly string s_demo = Path.Combine(AppContext.BaseDirectory, "Demo");

    [Fact]
    public void TrainCrossGraded_ThenEvalAndSearchReRankWithIt()
    {
        var products = Path.Combine(s_demo, "products.csv");
        var judgments = Path.Combine(s_demo, "judgments.csv");
        var model = Path.Combine(semmatch.Root, "ce-" + Guid.NewGuid().ToString("N"));
        var evalDir = Path.Combine(semmatch.Root, "eval-" + Guid.NewGuid().ToString("N"));

        var trained = semmatch.Run("train", "--train", judgments, "--dev", judgments, "--products", products, "--objective", "cross-graded",
            "--epochs", "2", "--lr", "5e-5", "--batch-size", "16", "--out", model);
        var evaluated = semmatch.Run("eval", "--products", products, "--judgments", judgments, "--methods", "bm25", "--rerank", "ce=" + model, "--out", evalDir);
        var searched = semmatch.Run("search", "cordless drill", "--method", "bm25", "--rerank", model, "--rerank-depth", "5", "--top", "8", "--json");
        var ensembled = semmatch.Run("search", "cordless drill", "--method", "bm25", "--rerank", model + "+" + model, "--rerank-depth", "5", "--top", "8", "--json");
        var explained = semmatch.Run("explain", "cordless drill", "DM0004", "--method", "bm25", "--rerank", model, "--json");
        var student = Path.Combine(semmatch.Root, "distil-" + Guid.NewGuid().ToString("N"));
        var distilled = semmatch.Run("train", "--train", judgments, "--dev", judgments, "--products", products, "--objective", "distil",
            "--teacher", model, "--augment", "units,typos", "--augment-rate", "1", "--epochs", "1", "--batch-size", "16", "--out", student);

        Assert.True(trained.ExitCode == 0, trained.ToString());
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "semanticmatch.json"))).RootElement;
        Assert.Equal("cross-encoder", config.GetProperty("kind").GetString());
        Assert.Equal("relevance", config.GetProperty("score").GetString());

        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        var methods = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "report.json"))).RootElement.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(["bm25", "bm25+rerank[ce]@50"], methods.Select(m => m.GetProperty("method").GetString()));
        Assert.InRange(methods[1].GetProperty("rmse").GetDouble(), 0, 1.0);

        Assert.True(searched.ExitCode == 0, searched.ToString());
        var scores = JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(8, scores.Count);
        Assert.All(scores.Take(5), s => Assert.InRange(s, 1f, 3f)); // the re-scored top 5 carry predicted relevance
        Assert.Equal(scores.Take(5).OrderDescending(), scores.Take(5));

        // An ensemble of a model with itself is that model: the mean of equal predicted relevances.
        Assert.True(ensembled.ExitCode == 0, ensembled.ToString());
        Assert.Equal(scores, JsonDocument.Parse(ensembled.Stdout).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetSingle()));

        Assert.True(explained.ExitCode == 0, explained.ToString());
        var rerank = JsonDocument.Parse(explained.Stdout).RootElement.GetProperty("explanation").GetProperty("rerank");
        Assert.InRange(rerank.GetProperty("score").GetDouble(), 1, 3); // predicted relevance
        Assert.True(rerank.GetProperty("firstStageRank").GetInt32() >= 1);
        Assert.Equal(["cordless", "drill"], rerank.GetProperty("queryWords").EnumerateArray().Select(w => w.GetProperty("word").GetString()));

        // The cross-encoder teaches a bi-encoder; the rewritten queries' pairs are scored by the teacher too.
        Assert.True(distilled.ExitCode == 0, distilled.ToString());
        var judgedPairs = File.ReadLines(judgments).Count() - 1;
        var added = Regex.Matches(distilled.Stderr, @"augmentation (?:units|typos): \d+ rewritten queries, (\d+) judgments added")
            .Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(added > 0, distilled.Stderr);
        Assert.Contains($"scored {judgedPairs + added} pairs", distilled.Stderr);
        Assert.Equal("bi-encoder", JsonDocument.Parse(File.ReadAllText(Path.Combine(student, "semanticmatch.json"))).RootElement.GetProperty("kind").GetString());
        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(student, "training.json"))).RootElement.GetProperty("options");
        Assert.Equal(model, record.GetProperty("teacher").GetString());
        Assert.Equal(["units", "typos"], record.GetProperty("augmentations").EnumerateArray().Select(a => a.GetString()!.ToLowerInvariant()));
    }

    [Fact]
    public void Rerank_WithABiEncoder_IsRefusedClearly()
    {
        var result = semmatch.Run("search", "drill", "--rerank", "minilm");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("re-ranking needs a cross-encoder", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    [Fact]
    public void TrainCrossGraded_WithOneRelevanceValue_IsAClearError()
    {
        var products = semmatch.Write("ce-products.csv", "product_id,title\na,Cordless Drill\nb,Garden Hose\n");
        var same = semmatch.Write("ce-same.csv", "query,product_id,relevance\ndrill,a,3\nhose,b,3\n");

        var result = semmatch.Run("train", "--train", same, "--dev", same, "--products", products, "--objective", "cross-graded",
            "--out", Path.Combine(semmatch.Root, "ce-bad"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("relevance range [3, 3] is empty", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }
}
