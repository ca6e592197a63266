using System.Text.Json;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Search;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// <c>agreement CACHE_A CACHE_B</c>: reads two description caches of the <c>ranking</c> benchmark (same first stage, two
/// cross-encoders) and prints, on their dev queries, how each score agrees with the labels and with the other inside a
/// query (mean Pearson correlation over queries with 3+ judged products), the NDCG@10 of each cross-encoder and of their
/// mean, and what NDCG@10 and correlation a scorer would reach whose errors were independent noise of each size.
/// </summary>
internal static class ScoreAgreement
{
    private const double ScaleMinimum = 1;
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static void Run(string cacheA, string cacheB)
    {
        var a = Dev(cacheA);
        var b = Dev(cacheB).ToDictionary(q => q.Query, StringComparer.Ordinal);
        var queries = a.Select(q => (q.Query, Judged: q.Judged.Select(j => (j.Signals, j.Relevance,
            Other: b[q.Query].Judged.First(o => o.Signals.Id == j.Signals.Id).Signals.Cross ?? 0)).ToList())).ToList();
        Console.WriteLine($"{Engine.Evaluation.MachineInfo.Describe()}; {queries.Count} dev queries");
        Console.WriteLine("| inside each query, mean Pearson correlation of | r |");
        Console.WriteLine("|---|---|");
        Correlation("cross-encoder A and cross-encoder B", queries.Select(q => q.Judged.Select(j => ((double)(j.Signals.Cross ?? 0), (double)j.Other))));
        Correlation("cross-encoder A and the label", queries.Select(q => q.Judged.Select(j => ((double)(j.Signals.Cross ?? 0), j.Relevance))));
        Correlation("cross-encoder B and the label", queries.Select(q => q.Judged.Select(j => ((double)j.Other, j.Relevance))));
        Correlation("BM25 and the label", queries.Select(q => q.Judged.Select(j => ((double)j.Signals.Keyword, j.Relevance))));
        Correlation("fine-tuned cosine and the label", queries.Select(q => q.Judged.Select(j => ((double)j.Signals.Dense, j.Relevance))));
        Console.WriteLine();
        Console.WriteLine("| judged products ordered by | NDCG@10 |");
        Console.WriteLine("|---|---|");
        foreach (var (name, weight) in new[] { ("cross-encoder A", 0.0), ("0.75 A + 0.25 B", 0.25), ("mean of A and B (the ensemble)", 0.5), ("cross-encoder B", 1.0) })
        {
            Console.WriteLine($"| {name} | {Ndcg(queries.Select(q => q.Judged.Select(j => (j.Signals.Id, ((1 - weight) * (j.Signals.Cross ?? 0)) + (weight * j.Other), j.Relevance)))):F4} |");
        }

        Console.WriteLine();
        Console.WriteLine("| label + independent noise N(0, sd), 3 draws, seed 7 | NDCG@10 | Pearson r with the label |");
        Console.WriteLine("|---|---|---|");
        var random = new Random(7);
        foreach (var sd in new[] { 0.8, 1.0, 1.2, 1.5, 2.0, 2.5 })
        {
            var draws = Enumerable.Range(0, 3).SelectMany(_ => queries.Select(q => q.Judged.Select(j => (j.Signals.Id, j.Relevance + (sd * Gaussian(random)), j.Relevance)).ToList())).ToList();
            var r = MeanCorrelation(draws.Select(q => q.Select(j => (j.Item2, j.Relevance))));
            Console.WriteLine($"| sd {sd:F1} | {Ndcg(draws):F4} | {r:F3} |");
        }
    }

    private static List<JudgedQuerySignals> Dev(string cache) =>
        JsonSerializer.Deserialize<List<List<JudgedQuerySignals>>>(File.ReadAllText(cache), s_json)![1];

    private static void Correlation(string name, IEnumerable<IEnumerable<(double X, double Y)>> queries) =>
        Console.WriteLine($"| {name} | {MeanCorrelation(queries):F3} |");

    private static double MeanCorrelation(IEnumerable<IEnumerable<(double X, double Y)>> queries) =>
        queries.Select(q => q.ToList()).Where(q => q.Count >= 3).Select(Pearson).OfType<double>().Average();

    private static double? Pearson(List<(double X, double Y)> pairs)
    {
        var (mx, my) = (pairs.Average(p => p.X), pairs.Average(p => p.Y));
        var sx = Math.Sqrt(pairs.Sum(p => (p.X - mx) * (p.X - mx)));
        var sy = Math.Sqrt(pairs.Sum(p => (p.Y - my) * (p.Y - my)));
        return sx == 0 || sy == 0 ? null : pairs.Sum(p => (p.X - mx) * (p.Y - my)) / (sx * sy);
    }

    /// <summary>Mean NDCG@10 over queries (relevance 1-3; queries whose products share one relevance left out).</summary>
    internal static double Ndcg(IEnumerable<IEnumerable<(string Id, double Score, double Relevance)>> queries) =>
        queries.Select(q => RankingMetrics.NdcgAtK(q.Select(j => new ScoredCandidate(j.Id, j.Score, j.Relevance)).ToList(), 10, ScaleMinimum))
            .OfType<double>().Average();

    // Box-Muller.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
