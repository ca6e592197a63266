using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Engine.Tests;

/// <summary>BM25 on a slice of the real Home Depot dev set; skipped where ../shared/data is absent.</summary>
public sealed class HomeDepotSampleTests
{
    private static readonly string s_root = FindData();

    [Fact]
    public async Task Bm25_OnTheFirst150DevQueries_IsInTheKnownRange()
    {
        Assert.SkipUnless(Directory.Exists(s_root), $"Home Depot data not found at {s_root}");
        var products = ProductReader.Read(Path.Combine(s_root, "products.csv")).Items;
        var judgments = JudgmentReader.Read(Path.Combine(s_root, "dev.csv"), products.Select(p => p.Id).ToHashSet()).Items;
        var firstQueries = judgments.Select(j => j.Query).Distinct().Take(150).ToHashSet();

        var result = (await new Evaluator(new EvalOptions { ScaleMinimum = 1 })
            .RunAsync(products, judgments.Where(j => firstQueries.Contains(j.Query)).ToList(), []))
            .Single();

        // The full dev set gives about 0.896 NDCG@10 (random order: about 0.876); a slice varies around that.
        Assert.InRange(result.Ndcg10!.Value, 0.86, 0.94);
        Assert.InRange(result.Recall100!.Value, 0.6, 0.95);
    }

    private static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "homedepot");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath("../shared/data/homedepot");
    }
}
