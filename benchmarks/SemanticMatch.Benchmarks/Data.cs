using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Benchmarks;

/// <summary>Finds ../shared/data/homedepot beside the checkout (walking up from the working directory).</summary>
internal static class Data
{
    public static string HomeDepot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "homedepot");
            if (File.Exists(Path.Combine(candidate, "products.csv")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Home Depot data not found: run from the checkout, with ../shared/data/homedepot beside it");
    }

    public static IReadOnlyList<Product> Products() => ProductReader.Read(Path.Combine(HomeDepot(), "products.csv")).Items;

    public static IReadOnlyList<string> DevQueries() =>
        JudgmentReader.Read(Path.Combine(HomeDepot(), "dev.csv")).Items.Select(j => j.Query).Distinct().ToList();
}
