using System.Text.Json;

namespace SemanticMatch.Cli.Tests;

/// <summary>
/// The Chinese training path through the real executables: <c>train --language zh</c> extends MiniLM's vocabulary with
/// the CJK characters of the training texts, and the result works in match, index and search like any model directory.
/// </summary>
[Collection(SemmatchProcess.Name)]
public sealed class ChineseTrainingTests(Semmatch semmatch)
{
    private static readonly string s_products = Path.Combine(AppContext.BaseDirectory, "Demo", "products-zh.csv");

    [Fact]
    public void TrainLanguageZh_OnJudgmentsAndQbqtcJsonLines_ExtendsTheVocabulary_AndTheModelWorksEverywhere()
    {
        var catalogue = File.ReadLines(s_products).Skip(1).Select(l => l.Split(',')).Select(f => (Id: f[0], Title: f[1], Category: f[3])).ToList();
        var categories = catalogue.Select(p => p.Category).Distinct().ToList();
        // Training judgments in our CSV: each category's name against two of its products (2) and one of the next category's (0).
        var train = categories.SelectMany((c, i) => catalogue.Where(p => p.Category == c).Take(2).Select(p => $"{c},{p.Id},2")
            .Append($"{c},{catalogue.First(p => p.Category == categories[(i + 1) % categories.Count]).Id},0"));
        var trainPath = semmatch.Write("zh-train.csv", "query,product_id,relevance\n" + string.Join('\n', train) + "\n");
        // Dev pairs as QBQTC ships them (query, title, label; one title a query): read as they are, no products file needed for them.
        var dev = categories.Take(8).SelectMany((c, i) => new[]
        {
            new { query = c + "哪个好", title = catalogue.Last(p => p.Category == c).Title, label = "2" },
            new { query = c + "推荐", title = catalogue.Last(p => p.Category == categories[i + 1]).Title, label = "0" },
        });
        var devPath = semmatch.Write("zh-dev.jsonl", string.Join('\n', dev.Select(d => JsonSerializer.Serialize(d))) + "\n");
        var model = Path.Combine(semmatch.Root, "zh-model-" + Guid.NewGuid().ToString("N"));
        var index = Path.Combine(semmatch.Root, "zh-index-" + Guid.NewGuid().ToString("N"));

        var trained = semmatch.Run("train", "--train", trainPath, "--dev", devPath, "--products", s_products, "--base", "minilm", "--language", "zh",
            "--objective", "cosent", "--relevant-threshold", "1", "--epochs", "1", "--batch-size", "8", "--out", model);
        var matched = semmatch.Run("match", "--pairs", devPath, "--model", model, "--json");
        var indexed = semmatch.Run("index", "--products", s_products, "--model", model, "--out", index);
        var searched = semmatch.Run("search", "保温杯", "--index", index, "--method", "dense", "--top", "3", "--json");

        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("CJK characters", trained.Stderr);
        Assert.Contains("dev auc by epoch", trained.Stdout); // one title a query: AUC selects the epoch, not per-query NDCG
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "semanticmatch.json"))).RootElement;
        var added = config.GetProperty("vocabulary").GetProperty("added").GetInt32();
        var vocabulary = File.ReadAllLines(Path.Combine(model, "vocab.txt"));
        Assert.Equal(30522 + added, vocabulary.Length);
        Assert.Contains("杯", vocabulary[30522..]); // in MiniLM's vocabulary 杯 was [UNK]
        Assert.False(Directory.Exists(Path.Combine(model, "base-vocabulary"))); // the extended starting point is not left behind

        Assert.True(matched.ExitCode == 0, matched.ToString());
        Assert.Equal(16, JsonDocument.Parse(matched.Stdout).RootElement.GetArrayLength());

        Assert.True(indexed.ExitCode == 0, indexed.ToString());
        Assert.True(searched.ExitCode == 0, searched.ToString());
        // Dense search alone: the trained characters carry the meaning (zero-shot MiniLM reads 保温杯 as 保 温 [UNK]).
        var titles = JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("title").GetString()).ToList();
        Assert.Equal(3, titles.Count);
        Assert.All(titles, t => Assert.Contains("保温杯", t));
    }
}
