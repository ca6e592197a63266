using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Splits Home Depot train by query into <c>models.csv</c> (about 80 % of the queries: what the bi-encoder and the
/// cross-encoder are fine-tuned on) and <c>ranker.csv</c> (the other 20 %: what the learned ranker is fitted on).
/// A ranker fitted on pairs its feature models were trained on learns to trust their (over-fitted) scores; on these
/// pairs the models' scores are as good as they will be on new queries. A query's part is fixed by its SHA-256, so the
/// split does not depend on row order.
/// </summary>
internal static class HomeDepotSplit
{
    public static void Write(string output)
    {
        Directory.CreateDirectory(output);
        var judgments = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "train.csv")).Items;
        var parts = judgments.GroupBy(j => IsRankerQuery(j.Query)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (name, rows) in new[] { ("models.csv", parts[false]), ("ranker.csv", parts[true]) })
        {
            ChinesePairs.WriteCsv(Path.Combine(output, name), ["query", "product_id", "relevance"],
                rows.Select(j => new[] { j.Query, j.ProductId, j.Relevance.ToString(CultureInfo.InvariantCulture) }));
            Console.WriteLine($"{Path.Combine(output, name)}: {rows.Count} pairs, {rows.Select(j => j.Query).Distinct().Count()} queries");
        }
    }

    private static bool IsRankerQuery(string query) => SHA256.HashData(Encoding.UTF8.GetBytes(query))[0] % 5 == 0;
}
