using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using SemanticMatch.Core.Metrics;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Load on a real <c>semmatch serve</c> over 127.0.0.1: the Home Depot catalogue loaded through the API (int8 MiniLM),
/// into a collection with exact or HNSW vectors, then closed-loop hybrid searches from 1, 8 and 32 clients, and 8 search clients beside a client upserting batches.
/// Prints p50/p95/p99, requests/s and errors per run.
/// </summary>
internal static class ServiceLoad
{
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_run = TimeSpan.FromSeconds(20);
    private static int s_errorShown;

    public static async Task RunAsync(string vectorIndex, IReadOnlyList<string> serveArgs)
    {
        var root = Path.Combine(Path.GetTempPath(), "semmatch-load-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var server = Start(root, url, serveArgs);
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
            (await client.PutAsJsonAsync("/v1/collections/hd", new { model = "minilm-int8", fields = new[] { "title" }, vectorIndex })).EnsureSuccessStatusCode();
            var products = Data.Products();
            var timer = Stopwatch.StartNew();
            await Parallel.ForEachAsync(products.Chunk(1000), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (batch, ct) =>
                (await client.PostAsJsonAsync("/v1/collections/hd/records", batch.Select(p => new { id = p.Id, title = p.Title }), ct)).EnsureSuccessStatusCode());
            Console.WriteLine($"{vectorIndex} vectors, serve {string.Join(' ', serveArgs)}: loaded {products.Count} products through the API in {timer.Elapsed.TotalSeconds:F1} s ({products.Count / timer.Elapsed.TotalSeconds:F0} records/s, durable)");

            var queries = Data.DevQueries();
            Console.WriteLine("| run | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | 503s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var clients in new[] { 1, 8, 32 })
            {
                await Measure(client, queries, clients, upserts: false, $"hybrid search", seed: clients);
            }

            await Measure(client, queries, 8, upserts: true, "hybrid search, 1 client upserting 50-record batches", seed: 99);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Measure(HttpClient client, IReadOnlyList<string> queries, int clients, bool upserts, string label, int seed)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var upsertLatencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        int errors = 0, unavailable = 0;
        using var warm = new CancellationTokenSource(s_warmUp);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Loop(client, queries, new Random(seed * 1000 + c), null, null, null, warm.Token)));
        using var stop = new CancellationTokenSource(s_run);
        var timer = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Loop(client, queries, new Random(seed * 7919 + c), latencies,
            () => Interlocked.Increment(ref errors), () => Interlocked.Increment(ref unavailable), stop.Token)).ToList();
        if (upserts)
        {
            tasks.Add(UpsertLoop(client, upsertLatencies, stop.Token));
        }

        await Task.WhenAll(tasks);
        var seconds = timer.Elapsed.TotalSeconds;
        var stats = LatencyStats.From(latencies.ToList());
        Console.WriteLine($"| {label} | {clients} | {latencies.Count / seconds:F0} | {stats.P50Ms:F1} | {stats.P95Ms:F1} | {stats.P99Ms:F1} | {errors} | {unavailable} |");
        if (upserts)
        {
            var upsert = LatencyStats.From(upsertLatencies.ToList());
            Console.WriteLine($"| upserts meanwhile (50 records a batch, durable) | 1 | {upsertLatencies.Count / seconds:F1} batches/s | {upsert.P50Ms:F1} | {upsert.P95Ms:F1} | {upsert.P99Ms:F1} | | |");
        }
    }

    private static async Task Loop(HttpClient client, IReadOnlyList<string> queries, Random random,
        System.Collections.Concurrent.ConcurrentBag<double>? latencies, Action? error, Action? unavailable, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsJsonAsync("/v1/collections/hd/search",
                new { query = queries[random.Next(queries.Count)], top = 10, method = "hybrid" }, CancellationToken.None);
            await response.Content.LoadIntoBufferAsync(CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                unavailable?.Invoke();
            }
            else if (!response.IsSuccessStatusCode)
            {
                error?.Invoke();
                if (Interlocked.Exchange(ref s_errorShown, 1) == 0)
                {
                    Console.Error.WriteLine($"first error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
            }
            else
            {
                latencies?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private static async Task UpsertLoop(HttpClient client, System.Collections.Concurrent.ConcurrentBag<double> latencies, CancellationToken stop)
    {
        var batch = 0;
        while (!stop.IsCancellationRequested)
        {
            batch++;
            var records = Enumerable.Range(0, 50).Select(i => new { id = $"load-{batch}-{i}", title = $"cordless drill accessory kit model {batch}-{i}" });
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsJsonAsync("/v1/collections/hd/records", records, CancellationToken.None);
            response.EnsureSuccessStatusCode();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    internal static Process Start(string root, string url, IReadOnlyList<string> serveArgs)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "semmatch.dll"), "serve", "--data", Path.Combine(root, "data"), "--urls", url }.Concat(serveArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        while (process.StandardOutput.ReadLine() is { } line && !line.StartsWith("listening on", StringComparison.Ordinal))
        {
        }

        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
