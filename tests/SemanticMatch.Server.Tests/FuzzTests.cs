using System.Net;
using System.Text;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// 10,000 seeded malformed or random requests against a real server: not one 5xx; afterwards a normal search is still
/// right and the data directory holds nothing but keys and collection folders.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private const int Seed = 424242;
    private const int Requests = 10_000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-fuzz-" + Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;
    private string _admin = string.Empty;

    private string Data => Path.Combine(_root, "data");

    public async ValueTask InitializeAsync()
    {
        _admin = Keys.Add(Data, "admin", "read,write,admin");
        _server = await ServerProcess.StartAsync(Data, Path.Combine(_root, "models"));
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/fz", _admin, new { model = "minilm" });
        await _server.SendAsync(HttpMethod.Post, "/v1/collections/fz/records", _admin, new[] { new { id = "d1", title = "Cordless Drill" } });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task RandomRequests_NeverGet5xx_AndTheServerStaysCorrect()
    {
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Requests).Select(_ => Generate(random)).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (r, ct) =>
        {
            using var request = _server.Request(r.Method, r.Path, r.WithKey ? _admin : null, raw: r.Body);
            if (r.ContentType is not null && request.Content is not null)
            {
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(r.ContentType);
            }

            try
            {
                using var response = await _server.Client.SendAsync(request, ct);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{r.Method} {r.Path} ({r.Body?.Length ?? 0} bytes): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{r.Method} {r.Path}: no answer ({e.Message})");
            }
        });

        Assert.True(failures.IsEmpty, $"seed {Seed}: {failures.Count} of {Requests} requests failed, e.g.\n{string.Join('\n', failures.Take(5))}\n{_server.Output[^Math.Min(3000, _server.Output.Length)..]}");
        // The fuzz may have dropped any collection (DELETE is a valid request): check a fresh one.
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/after", _admin, new { model = "minilm" });
        await _server.SendAsync(HttpMethod.Post, "/v1/collections/after/records", _admin,
            new[] { new { id = "d1", title = "Cordless Drill 20V" }, new { id = "h1", title = "Garden Hose" }, new { id = "f1", title = "Kitchen Faucet" } });
        var search = await _server.SendAsync(HttpMethod.Post, "/v1/collections/after/search", _admin, new { query = "cordless drill", top = 1 });
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal("d1", search.Body.GetProperty("hits")[0].GetProperty("id").GetString());
        Assert.Subset(new HashSet<string?>(["collections", "keys.json", "feedback", ".initialised", ".lock"]),
            Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName).ToHashSet());
        Assert.All(Directory.EnumerateFileSystemEntries(Path.Combine(Data, "collections")),
            e => Assert.Matches("^[a-z0-9][a-z0-9_-]{0,63}$", Path.GetFileName(e)));
    }

    private sealed record FuzzRequest(HttpMethod Method, string Path, byte[]? Body, string? ContentType, bool WithKey);

    private static readonly string[] s_names = ["fz", "demo", "", "..", "%2e%2e", "..%2F..%2Fetc", "%00", "%ff", "a%20b", "UPPER", new string('n', 300), "名前", "x/../y", "fz%2F..", "-x", "fz.json"];
    private static readonly string[] s_ids = ["d1", "DM0001", "..", "%2e%2e", "%00", new string('i', 5000), "名", "a%2Fb", "\u0001"];
    private static readonly HttpMethod[] s_methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch];

    private static FuzzRequest Generate(Random random)
    {
        var name = Pick(random, s_names);
        var id = Pick(random, s_ids);
        var path = random.Next(9) switch
        {
            0 => "/v1/collections",
            1 => $"/v1/collections/{name}",
            2 => $"/v1/collections/{name}/records",
            3 => $"/v1/collections/{name}/records/{id}",
            4 => $"/v1/collections/{name}/records/{id}/similar?top={Pick(random, ["5", "-1", "0", "99999999999", "abc", "1e9", ""])}",
            5 => $"/v1/collections/{name}/search",
            6 => "/v1/match",
            7 => Pick(random, ["/v1/embed", $"/v1/collections/{name}/feedback"]),
            _ => Pick(random, ["/v1", "/v1/", "/metrics", "/healthz", "/v1/collections//records", "/v1/collections/fz/search/extra"]),
        };
        var method = Pick(random, s_methods);
        var body = method == HttpMethod.Get || random.Next(10) == 0 ? null : Body(random);
        var contentType = random.Next(20) == 0 ? Pick(random, ["text/plain", "application/xml", "application/json; charset=latin1"]) : null;
        return new FuzzRequest(method, path, body, contentType, random.Next(20) != 0);
    }

    private static byte[] Body(Random random)
    {
        string text = random.Next(12) switch
        {
            0 => string.Empty,
            1 => "{",
            2 => "null",
            3 => "[]",
            4 => $"{{\"query\": {Pick(random, ["5", "null", "[]", "{}", "true", "\"\"", "\"drill\"", "\"" + new string('q', 3000) + "\""])}, \"top\": {Pick(random, ["1", "-1", "0", "1e308", "99999999999", "\"10\"", "null", "3.5"])}}}",
            5 => $"{{\"query\": \"drill\", \"method\": {Pick(random, ["\"bm25\"", "\"dense\"", "\"hybrid\"", "\"nope\"", "1", "null"])}, \"filters\": {Pick(random, ["\"x\"", "[]", "[{}]", "[{\"field\":\"price\",\"min\":\"a\"}]", "[{\"field\":\"title\",\"equals\":[1]}]", "null"])}}}",
            6 => $"[{{\"id\": {Pick(random, ["null", "1", "\"\"", "\"r1\"", "\"" + new string('x', 600) + "\"", "[]"])}, \"title\": {Pick(random, ["\"t\"", "1", "null", "{}", "\"\""])}}}]",
            7 => $"{{\"query\": \"drill\", \"texts\": {Pick(random, ["[]", "[null]", "[\"a\"]", "\"a\"", "[1]"])}, \"model\": {Pick(random, ["\"minilm\"", "\"../../etc/passwd\"", "\"nope\"", "5"])}, \"similarity\": {Pick(random, ["\"cosine\"", "\"jaccard\"", "\"x\""])}}}",
            8 => new string('[', random.Next(1, 3000)),
            9 => $"{{\"model\": {Pick(random, ["\"minilm\"", "\"nope\"", "\"/tmp\"", "\"..\""])}, \"fields\": {Pick(random, ["[]", "[\"id\"]", "[\"title\"]", "\"title\"", "[null]"])}, \"metric\": {Pick(random, ["\"jaccard\"", "\"cosine\"", "\"x\""])}}}",
            10 => random.Next(2) == 0
                ? $"{{\"query\": {Pick(random, ["\"drill\"", "null", "1"])}, \"shown\": {Pick(random, ["[\"d1\"]", "[null]", "[\"\"]", "\"d1\"", "[1]"])}, \"session\": {Pick(random, ["\"s\"", "5", "null"])}}}"
                : "{\"query\": \"drill\", \"unknown\": {\"deep\": [1, 2, {\"x\": null}]}, \"rerank\": true, \"rerankDepth\": -4}",
            _ => string.Empty,
        };
        if (text.Length == 0 && random.Next(2) == 0)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            return bytes;
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
