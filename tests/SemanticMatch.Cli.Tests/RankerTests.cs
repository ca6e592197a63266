using System.Text.Json;

namespace SemanticMatch.Cli.Tests;

/// <summary>The Contract of the learned ranker through the real executable: train-ranker, then eval --ranker and search --ranker.</summary>
[Collection(SemmatchProcess.Name)]
public sealed class RankerTests(Semmatch semmatch)
{
    private static readonly string s_demo = Path.Combine(AppContext.BaseDirectory, "Demo");

    [Fact]
    public void TrainRanker_ThenEvalAndSearchUseIt()
    {
        var products = Path.Combine(s_demo, "products.csv");
        var judgments = Path.Combine(s_demo, "judgments.csv");
        var ranker = Path.Combine(semmatch.Root, "ranker-" + Guid.NewGuid().ToString("N"));
        var evalDir = Path.Combine(semmatch.Root, "eval-" + Guid.NewGuid().ToString("N"));

        var trained = semmatch.Run("train-ranker", "--train", judgments, "--dev", judgments, "--products", products, "--model", "minilm-int8",
            "--trees", "50", "--min-leaf", "5", "--out", ranker);
        var evaluated = semmatch.Run("eval", "--products", products, "--judgments", judgments, "--methods", "hybrid", "--model", "minilm-int8",
            "--ranker", "r=" + ranker, "--out", evalDir);
        var searched = semmatch.Run("search", "cordless drill", "--model", "minilm-int8", "--ranker", ranker, "--top", "20", "--json");
        var confident = semmatch.Run("search", "cordless drill", "--model", "minilm-int8", "--ranker", ranker, "--top", "20", "--min-probability", "0.5", "--json");

        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("learned ranker", trained.Stdout);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(ranker, "ranker.json"))).RootElement;
        Assert.Equal("minilm-int8", manifest.GetProperty("biEncoder").GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, manifest.GetProperty("crossEncoder").ValueKind);
        Assert.Contains("cross", manifest.GetProperty("excluded").EnumerateArray().Select(e => e.GetString())); // no --rerank: no cross features
        Assert.True(File.Exists(Path.Combine(ranker, "reliability.png")));
        var training = manifest.GetProperty("training");
        Assert.True(training.GetProperty("dev").GetProperty("ndcg10").GetDouble() >= training.GetProperty("devFirstStage").GetProperty("ndcg10").GetDouble(),
            "trained and measured on the same judgments, the ranker must not order them worse than the first stage");

        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        var methods = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "report.json"))).RootElement.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(["hybrid[minilm-int8]", "hybrid+ranker[r]@30"], methods.Select(m => m.GetProperty("method").GetString()));
        Assert.InRange(methods[1].GetProperty("rmse").GetDouble(), 0, 1);
        Assert.InRange(methods[1].GetProperty("calibrationError").GetDouble(), 0, 0.3);
        Assert.True(methods[1].GetProperty("ndcg10").GetDouble() >= methods[0].GetProperty("ndcg10").GetDouble() - 0.01, evaluated.Stdout);

        Assert.True(searched.ExitCode == 0, searched.ToString());
        var results = JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(20, results.Count);
        var scores = results.Select(r => r.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        var probabilities = results.Select(r => r.GetProperty("probability").GetSingle()).ToList();
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.Contains("Drill", results[0].GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);

        Assert.True(confident.ExitCode == 0, confident.ToString());
        var kept = JsonDocument.Parse(confident.Stdout).RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("probability").GetSingle()).ToList();
        Assert.Equal(probabilities.Count(p => p >= 0.5f), kept.Count);
        Assert.All(kept, p => Assert.True(p >= 0.5f));
        Assert.InRange(kept.Count, 1, 19); // the threshold separates: some kept, some dropped
    }

    [Fact]
    public void TrainRanker_WithFolds_ChoosesItsTreesByCrossValidation()
    {
        var products = Path.Combine(s_demo, "products.csv");
        var judgments = Path.Combine(s_demo, "judgments.csv");
        var ranker = Path.Combine(semmatch.Root, "ranker-" + Guid.NewGuid().ToString("N"));

        var trained = semmatch.Run("train-ranker", "--train", judgments, "--dev", judgments, "--products", products, "--model", "minilm-int8",
            "--trees", "1,50", "--leaves", "2,8", "--min-leaf", "5", "--folds", "3", "--out", ranker);

        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("3-fold CV on train", trained.Stdout);
        Assert.Contains("chosen", trained.Stdout);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(ranker, "ranker.json"))).RootElement;
        var validation = manifest.GetProperty("crossValidation");
        Assert.Equal(3, validation.GetProperty("foldCount").GetInt32());
        var settings = validation.GetProperty("settings").EnumerateArray().ToList();
        static string Trees(JsonElement t) => $"{t.GetProperty("trees")}x{t.GetProperty("leaves")}";
        Assert.Equal(["1x2", "1x8", "50x2", "50x8"], settings.Select(s => Trees(s.GetProperty("trees"))));
        Assert.All(settings, s => Assert.Equal(3, s.GetProperty("folds").GetArrayLength()));
        Assert.Equal(Trees(validation.GetProperty("chosen")), Trees(manifest.GetProperty("trees")));
    }

    [Fact]
    public void TrainRanker_WithParts_DescribesEachPartWithItsOwnModels()
    {
        var products = Path.Combine(s_demo, "products.csv");
        var judgments = Path.Combine(s_demo, "judgments.csv");
        var lines = File.ReadAllLines(judgments);
        var queries = lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().ToList();
        var partQueries = queries.Where((_, i) => i % 2 == 1).ToHashSet();
        var work = Path.Combine(semmatch.Root, "parts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var (train, part, both) = (Path.Combine(work, "train.csv"), Path.Combine(work, "part.csv"), Path.Combine(work, "both.csv"));
        var trainLines = lines.Skip(1).Where(l => !partQueries.Contains(l.Split(',')[0])).ToList();
        var partLines = lines.Skip(1).Where(l => partQueries.Contains(l.Split(',')[0])).ToList();
        File.WriteAllLines(train, [lines[0], .. trainLines]);
        File.WriteAllLines(part, [lines[0], .. partLines]);
        File.WriteAllLines(both, [lines[0], .. trainLines, .. partLines]);
        string[] common = ["--dev", judgments, "--products", products, "--model", "minilm-int8", "--trees", "50", "--min-leaf", "5"];

        var crossFitted = semmatch.Run(["train-ranker", "--train", train, "--part", part, "--part-model", "arctic-int8", .. common, "--out", Path.Combine(work, "crossfit")]);
        var sameModel = semmatch.Run(["train-ranker", "--train", train, "--part", part, "--part-model", "minilm-int8", .. common, "--out", Path.Combine(work, "same")]);
        var oneFile = semmatch.Run(["train-ranker", "--train", both, .. common, "--out", Path.Combine(work, "one")]);
        var partsOnly = semmatch.Run(["train-ranker", "--part", train, "--part-model", "minilm-int8", "--part", part, "--part-model", "minilm-int8", .. common,
            "--out", Path.Combine(work, "parts")]);

        Assert.True(crossFitted.ExitCode == 0, crossFitted.ToString());
        Assert.Contains($"of which {partLines.Count} pairs of {partQueries.Count} queries from {part}, described by arctic-int8", crossFitted.Stdout);
        var manifest = Manifest(Path.Combine(work, "crossfit"));
        Assert.Equal("minilm-int8", manifest.GetProperty("biEncoder").GetProperty("model").GetString());
        var recorded = Assert.Single(manifest.GetProperty("parts").EnumerateArray());
        Assert.Equal(part, recorded.GetProperty("judgments").GetString());
        Assert.StartsWith("snowflake-arctic-embed-xs", recorded.GetProperty("biEncoder").GetProperty("identity").GetString());
        Assert.Equal(partQueries.Count, recorded.GetProperty("queries").GetInt32());
        Assert.Equal(partLines.Count, recorded.GetProperty("pairs").GetInt32());
        Assert.Equal(queries.Count, manifest.GetProperty("training").GetProperty("trainQueries").GetInt32());

        // A part described by the served model is the same as one train file; described by another model, it is not.
        Assert.True(sameModel.ExitCode == 0 && oneFile.ExitCode == 0 && partsOnly.ExitCode == 0, sameModel + "\n" + oneFile + "\n" + partsOnly);
        var dev = (string name) => Manifest(Path.Combine(work, name)).GetProperty("training").GetProperty("dev").GetProperty("rmse").GetDouble();
        Assert.Equal(dev("one"), dev("same"));
        Assert.Equal(dev("one"), dev("parts")); // every train query in a part: no --train needed
        Assert.NotEqual(dev("one"), dev("crossfit"));
    }

    private static JsonElement Manifest(string ranker) => JsonDocument.Parse(File.ReadAllText(Path.Combine(ranker, "ranker.json"))).RootElement;
}
