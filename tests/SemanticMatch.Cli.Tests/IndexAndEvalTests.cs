using System.Text.Json;

namespace SemanticMatch.Cli.Tests;

[Collection(SemmatchProcess.Name)]
public sealed class IndexAndEvalTests(Semmatch semmatch)
{
    private const string Catalogue =
        "product_id,title,description\n" +
        "a1,\"Cordless Drill, 20V\",\"<p>Drill &amp; driver</p>\"\n" +
        "a2,Garden Hose 50 ft.,Kink free\n" +
        "a3,White Kitchen Faucet,Pull-down sprayer\n";

    [Fact]
    public void IndexThenSearch_UsesTheIndexAndItsModel()
    {
        var products = semmatch.Write("products.csv", Catalogue);
        var index = Path.Combine(semmatch.Root, "idx-" + Guid.NewGuid().ToString("N"));

        var built = semmatch.Run("index", "--products", products, "--out", index, "--fields", "title,description");
        var searched = semmatch.Run("search", "garden hose", "--index", index, "--method", "bm25", "--json");

        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Contains("indexed 3 products", built.Stdout);
        Assert.True(searched.ExitCode == 0, searched.ToString());
        Assert.Equal("a2", JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results")[0].GetProperty("product_id").GetString());
    }

    [Theory]
    [InlineData("zh")]
    [InlineData("auto")]
    public void ChineseCatalogue_IndexRecordsTheLanguage_AndSearchSegmentsQueriesWithoutAFlag(string language)
    {
        var products = semmatch.Write($"products-{language}.csv",
            "product_id,title\ncase,苹果 iPhone 15 手机壳 透明 防摔 6.1寸\nkettle,不锈钢 电热水壶 家用 1.7升\nrice,智能 电饭煲 家用 4升\n");
        var index = Path.Combine(semmatch.Root, "idx-" + Guid.NewGuid().ToString("N"));

        var built = semmatch.Run("index", "--products", products, "--out", index, "--language", language);
        var kettle = semmatch.Run("search", "电热水壶", "--index", index, "--method", "bm25", "--json");
        var mixed = semmatch.Run("search", "iPhone15手机壳", "--index", index, "--method", "bm25", "--json");

        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Contains($"\"language\": \"{language}\"", File.ReadAllText(Path.Combine(index, "manifest.json")));
        Assert.Equal(["kettle"], JsonDocument.Parse(kettle.Stdout).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("product_id").GetString()));
        Assert.Equal("case", JsonDocument.Parse(mixed.Stdout).RootElement.GetProperty("results")[0].GetProperty("product_id").GetString());
    }

    [Theory]
    [InlineData("bm25")]
    [InlineData("hybrid")]
    public void ChineseDemoCatalogue_QueriesFindTheRightProducts(string method)
    {
        var products = Path.Combine(AppContext.BaseDirectory, "Demo", "products-zh.csv");
        var index = Path.Combine(semmatch.Root, "idx-" + Guid.NewGuid().ToString("N"));

        var categoryOf = File.ReadLines(products).Skip(1).Select(line => line.Split(',')).ToDictionary(cells => cells[0], cells => cells[3]);
        var built = semmatch.Run("index", "--products", products, "--out", index, "--fields", "title,category");
        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Contains("indexed 236 products", built.Stdout);
        foreach (var (query, category) in new[] { ("电热水壶", "电热水壶"), ("家用吸尘器", "吸尘器"), ("iPhone 15 手机壳", "手机壳"), ("保温杯 500毫升", "保温杯") })
        {
            var searched = semmatch.Run("search", query, "--index", index, "--method", method, "--top", "3", "--json");

            Assert.True(searched.ExitCode == 0, searched.ToString());
            var results = JsonDocument.Parse(searched.Stdout).RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(3, results.Count);
            Assert.All(results, r => Assert.Equal(category, categoryOf[r.GetProperty("product_id").GetString()!]));
        }
    }

    [Fact]
    public void Search_WithAnotherModelThanTheIndex_IsRefusedClearly()
    {
        var products = semmatch.Write("products-m.csv", Catalogue);
        var index = Path.Combine(semmatch.Root, "idx-" + Guid.NewGuid().ToString("N"));
        semmatch.Run("index", "--products", products, "--out", index);

        var result = semmatch.Run("search", "hose", "--index", index, "--model", "arctic");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("was built with model all-MiniLM-L6-v2", result.Stderr);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void Eval_DemoData_WritesMarkdownAndJson()
    {
        var demo = Path.Combine(AppContext.BaseDirectory, "Demo");
        var outDir = Path.Combine(semmatch.Root, "eval-" + Guid.NewGuid().ToString("N"));

        var result = semmatch.Run("eval", "--products", Path.Combine(demo, "products.csv"), "--judgments",
            Path.Combine(demo, "judgments.csv"), "--out", outDir);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("| method | NDCG@10 (re-rank) |", result.Stdout);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement;
        var methods = report.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(["bm25", "dense[minilm]", "hybrid[minilm]"], methods.Select(m => m.GetProperty("method").GetString()));
        Assert.All(methods, m => Assert.InRange(m.GetProperty("ndcg10").GetDouble(), 0.7, 1.0));
        Assert.Equal(20, report.GetProperty("queryCount").GetInt32());
    }

    [Theory]
    [InlineData("product_id,title\n1,Drill\n1,Saw\n", "products.csv:3: field 'product_id': duplicate product id '1' (first seen on line 2)")]
    [InlineData("product_id,title\n ,Drill\n", "products.csv:2: field 'product_id': empty product id")]
    [InlineData("id,title\n1,Drill\n", "products.csv:1: field 'product_id': missing column (header has: id,title)")]
    public void Index_BadProducts_GiveFileLineAndFieldWithoutStackTrace(string csv, string expected)
    {
        var dir = Path.Combine(semmatch.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var products = Path.Combine(dir, "products.csv");
        File.WriteAllText(products, csv);

        var result = semmatch.Run("index", "--products", products, "--out", Path.Combine(dir, "idx"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected.Replace("products.csv", products, StringComparison.Ordinal), result.Stderr.ReplaceLineEndings(string.Empty));
        AssertNoStackTrace(result);
    }

    [Theory]
    [InlineData("query,product_id,relevance\ndrill,a1,high\n", "judgments.csv:2: field 'relevance': cannot parse relevance 'high'")]
    [InlineData("query,product_id,relevance\ndrill,zz,3\n", "judgments.csv:2: field 'product_id': unknown product 'zz'")]
    public void Eval_BadJudgments_GiveFileLineAndField(string csv, string expected)
    {
        var dir = Path.Combine(semmatch.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var products = Path.Combine(dir, "products.csv");
        File.WriteAllText(products, Catalogue);
        var judgments = Path.Combine(dir, "judgments.csv");
        File.WriteAllText(judgments, csv);

        var result = semmatch.Run("eval", "--products", products, "--judgments", judgments, "--methods", "bm25", "--out", Path.Combine(dir, "out"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected.Replace("judgments.csv", judgments, StringComparison.Ordinal), result.Stderr.ReplaceLineEndings(string.Empty));
        AssertNoStackTrace(result);
    }

    [Fact]
    public void SkipBadRows_ReportsEachSkipAndTheCount()
    {
        var dir = Path.Combine(semmatch.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var products = Path.Combine(dir, "products.csv");
        File.WriteAllText(products, Catalogue + "a1,Duplicate,x\n,No id,y\n");

        var result = semmatch.Run("index", "--products", products, "--out", Path.Combine(dir, "idx"), "--skip-bad-rows");

        Assert.True(result.ExitCode == 0, result.ToString());
        var stderr = result.Stderr.ReplaceLineEndings(string.Empty);
        Assert.Contains("skipped 2 bad product rows", stderr);
        Assert.Contains("duplicate product id 'a1'", stderr);
        Assert.Contains("indexed 3 products", result.Stdout);
    }

    [Fact]
    public void MissingRequiredOption_IsAUsageError()
    {
        var result = semmatch.Run("index", "--products", "x.csv");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out is required", result.Stdout + result.Stderr);
    }

    [Fact]
    public void Train_EmptyTrainingFile_IsAClearError()
    {
        var dir = Path.Combine(semmatch.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var products = Path.Combine(dir, "products.csv");
        File.WriteAllText(products, Catalogue);
        var train = Path.Combine(dir, "train.csv");
        File.WriteAllText(train, "query,product_id,relevance\n");
        var dev = Path.Combine(dir, "dev.csv");
        File.WriteAllText(dev, "query,product_id,relevance\nhose,a2,3\n");

        var result = semmatch.Run("train", "--train", train, "--dev", dev, "--products", products, "--out", Path.Combine(dir, "model"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{train}: no judgment rows to use", result.Stderr);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void Train_OutOfRangeHyperParameter_IsAUsageError()
    {
        var result = semmatch.Run("train", "--train", "t.csv", "--dev", "d.csv", "--products", "p.csv", "--out", "m", "--dropout", "1.5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("dropout must be in [0, 1)", result.Stdout + result.Stderr);
    }

    private static void AssertNoStackTrace(Semmatch.Result result) =>
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
}
