using System.Diagnostics;
using System.Net.Http.Json;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// What the results-page features cost a search, measured side by side on a real server over the Home Depot catalogue
/// (titles, plus a category-like "brand" field: each title's first word): every dev query is sent once per variant,
/// the variants interleaved query by query, one client, after a warm-up. Each search variant is its own session, so a
/// query searched by the variants becomes a popular query the completions then offer.
/// </summary>
internal static class ResultsPageLatency
{
    private const int Queries = 400;

    public static async Task RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "semmatch-page-latency-" + Guid.NewGuid().ToString("N"));
        var url = $"http://127.0.0.1:{ServiceLoad.FreePort()}";
        using var server = ServiceLoad.Start(root, url, []);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
            (await client.PutAsJsonAsync("/v1/collections/hd", new { model = "minilm-int8", fields = new[] { "title" }, vectorIndex = "hnsw" })).EnsureSuccessStatusCode();
            var products = Data.Products();
            foreach (var batch in products.Chunk(1000))
            {
                (await client.PostAsJsonAsync("/v1/collections/hd/records",
                    batch.Select(p => new { id = p.Id, title = p.Title, brand = p.Title.Split(' ', 2)[0] }))).EnsureSuccessStatusCode();
            }

            var queries = Data.DevQueries().Take(Queries).ToList();
            // A filter on the ten most common brands, for what a facet of the filtered field costs (a second retrieval).
            var common = products.GroupBy(p => p.Title.Split(' ', 2)[0]).OrderByDescending(g => g.Count()).Take(10).Select(g => g.Key).ToArray();
            var brandFilter = new[] { new { field = "brand", @in = common } };
            var variants = new (string Label, string? Baseline, Func<string, Task> Send)[]
            {
                ("hybrid search", null, q => Search(client, new { query = q, session = "s1" })),
                ("hybrid search + facets [brand]", "hybrid search", q => Search(client, new { query = q, facets = new[] { "brand" }, session = "s2" })),
                ("bm25 search", null, q => Search(client, new { query = q, method = "bm25", session = "s3" })),
                ("bm25 search + facets [brand]", "bm25 search", q => Search(client, new { query = q, method = "bm25", facets = new[] { "brand" }, session = "s4" })),
                ("bm25 search + sort [brand]", "bm25 search", q => Search(client, new { query = q, method = "bm25", sort = new[] { "brand:asc" }, session = "s5" })),
                ("hybrid search + highlight", "hybrid search", q => Search(client, new { query = q, highlight = true, session = "s6" })),
                ("hybrid search, brand filter", null, q => Search(client, new { query = q, filters = brandFilter, session = "s7" })),
                ("hybrid search, brand filter + facets [brand] (disjunctive)", "hybrid search, brand filter",
                    q => Search(client, new { query = q, filters = brandFilter, facets = new[] { "brand" }, session = "s8" })),
                ("suggest (first 4 letters)", null, q => Suggest(client, q[..Math.Min(4, q.Length)])),
                ("suggest (first 5 letters, 2nd and 3rd swapped)", null, q => Suggest(client, Swapped(q[..Math.Min(5, q.Length)]))),
            };
            foreach (var query in queries.Take(100))
            {
                foreach (var (_, _, send) in variants)
                {
                    await send(query); // warm-up
                }
            }

            var latencies = variants.Select(_ => new List<double>()).ToArray();
            foreach (var query in queries)
            {
                for (var v = 0; v < variants.Length; v++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await variants[v].Send(query);
                    latencies[v].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            Console.WriteLine($"{products.Count} products, {queries.Count} dev queries, each variant once per query, interleaved; one client");
            Console.WriteLine("| variant | p50 ms | p99 ms | p50 added to its search |");
            Console.WriteLine("|---|---|---|---|");
            for (var v = 0; v < variants.Length; v++)
            {
                var baseline = Array.FindIndex(variants, b => b.Label == variants[v].Baseline);
                var added = baseline < 0 ? "–" : $"{Percentile(latencies[v], 0.5) - Percentile(latencies[baseline], 0.5):+0.00;-0.00}";
                Console.WriteLine($"| {variants[v].Label} | {Percentile(latencies[v], 0.5):F2} | {Percentile(latencies[v], 0.99):F2} | {added} |");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Search(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/v1/collections/hd/search", body);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task Suggest(HttpClient client, string prefix)
    {
        using var response = await client.GetAsync($"/v1/collections/hd/suggest?q={Uri.EscapeDataString(prefix)}&limit=8");
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    // A typo: the second and third letters swapped ("crodl" for "cordl").
    private static string Swapped(string prefix) => prefix.Length < 3 ? prefix : string.Concat(prefix[..1], prefix[2].ToString(), prefix[1].ToString(), prefix[3..]);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
