using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Server.Hosting;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// The service tried as a hostile client would, against a real server process, on each store: every endpoint under
/// path variants without its scope, record ids that paths mangle, private values, model names that are server paths.
/// </summary>
public abstract class HostileClientConformance(KeyedServerFixture fixture)
{
    // Endpoints anyone may call even when keys exist; every other endpoint must declare a scope.
    private static readonly HashSet<string> s_anonymous =
    [
        "GET /healthz", "GET /readyz", "GET /", "HEAD /", "GET /page/app.js", "HEAD /page/app.js", "GET /page/app.css", "HEAD /page/app.css",
        "GET /analytics", "HEAD /analytics", "GET /page/shared.js", "HEAD /page/shared.js", "GET /page/analytics.js", "HEAD /page/analytics.js",
        "GET /openapi/{documentName}.json", "GET /scalar/{documentName?}", "GET /metrics",
    ];

    private ServerProcess Server => fixture.Server;

    [Fact]
    public async Task EveryEndpoint_UnderPathVariants_IsNeverServedWithoutItsScope()
    {
        SkipIfMissing();
        var name = await CollectionAsync(("r1", "Cordless Drill"), ("r2", "Garden Hose"));
        var endpoints = await EndpointsAsync();
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (method, pattern, scope) in endpoints)
        {
            var key = $"{method} {pattern}";
            if (scope is null)
            {
                if (!s_anonymous.Contains(key) && !pattern.StartsWith("/scalar", StringComparison.Ordinal))
                {
                    failures.Add($"{key}: neither a scope nor in the list of anonymous endpoints");
                }

                continue;
            }

            var path = pattern.Replace("{name}", name, StringComparison.Ordinal).Replace("{id}", "r1", StringComparison.Ordinal);
            var weaker = scope switch { Scope.Admin => fixture.Writer, Scope.Write => fixture.Reader, _ => null };

            foreach (var variant in Variants(path))
            {
                foreach (var (who, secret) in new[] { ("no key", (string?)null), ("an unknown key", "smk_not-a-key"), ("a weaker key", weaker) })
                {
                    if (who == "a weaker key" && secret is null)
                    {
                        continue;
                    }

                    var (status, body) = await RawHttp.SendAsync(Server.Url, method, variant, secret, Body(pattern));
                    checkedCount++;
                    if (status is (>= 200 and < 300) or >= 500 or 0)
                    {
                        failures.Add($"{method} {variant} with {who}: {status} {body}");
                    }
                }
            }
        }

        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}", fixture.Reader);

        // The control: with its scope and the path as written, each endpoint is let in (so the refusals above were not by accident).
        foreach (var (method, pattern, scope) in endpoints.Where(e => e.Scope is not null).OrderBy(e => e.Method == "DELETE"))
        {
            var path = pattern.Replace("{name}", name, StringComparison.Ordinal).Replace("{id}", "r1", StringComparison.Ordinal);
            var (status, body) = await RawHttp.SendAsync(Server.Url, method, path, scope == Scope.Read ? fixture.Reader : fixture.Admin, Body(pattern));
            if (status is 401 or 403 or >= 500 or 0)
            {
                failures.Add($"{method} {pattern} with its scope: {status} {body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(checkedCount > 200, $"only {checkedCount} requests checked");
        Assert.Equal(2, described.Body.GetProperty("count").GetInt32()); // nothing was changed by any of them
    }

    [Fact]
    public async Task DotSegments_AreRefusedBeforeRouting_SoARecordRouteNeverReachesTheCollection()
    {
        SkipIfMissing();
        var name = await CollectionAsync(("r1", "Cordless Drill"));
        var statuses = new List<int>();
        foreach (var segment in new[] { "..", "%2E%2E", "%2e.", ".", "%2E" })
        {
            statuses.Add((await RawHttp.SendAsync(Server.Url, "DELETE", $"/v1/collections/{name}/records/{segment}", fixture.Admin)).Status);
            statuses.Add((await RawHttp.SendAsync(Server.Url, "GET", $"/v1/collections/{name}/records/{segment}", fixture.Admin)).Status);
        }

        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}", fixture.Reader);
        var dotId = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", fixture.Writer, new[] { new { id = "..", title = "x" } });

        Assert.All(statuses, s => Assert.Equal(400, s));
        Assert.Equal(HttpStatusCode.OK, described.Status);
        Assert.Equal(1, described.Body.GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, dotId.Status);
        Assert.Contains("'..' cannot be a record id", dotId.Body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a%2Fb")]
    [InlineData("a%252Fb")]
    [InlineData("%")]
    [InlineData("100%")]
    [InlineData("ドリル-ß-😀")]
    [InlineData("what? #1 & more+plus")]
    [InlineData(" padded ")]
    [InlineData("...")]
    [InlineData("a\\b")]
    [InlineData("x512")]
    public async Task RecordIds_RoundTripThroughEveryRoute_AndTouchNothingElse(string id)
    {
        SkipIfMissing();
        id = id == "x512" ? new string('x', 511) + "/" : id;
        var decoys = new[] { "a/b", "a%2Fb", "a", "b", "a%252Fb", "%2F" }.Where(d => d != id).ToArray();
        var name = await CollectionAsync([(id, "Cordless Drill 20V"), .. decoys.Select(d => (d, "Garden Hose " + d))]);
        var path = $"/v1/collections/{name}/records/{Uri.EscapeDataString(id)}";

        var found = await Server.SendAsync(HttpMethod.Get, path, fixture.Reader);
        var similar = await Server.SendAsync(HttpMethod.Get, path + "/similar?top=3", fixture.Reader);
        var feedback = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/feedback", fixture.Writer,
            new { query = "drill", shown = new[] { id }, clicked = new[] { id } });
        var deleted = await Server.SendAsync(HttpMethod.Delete, path, fixture.Writer);
        var gone = await Server.SendAsync(HttpMethod.Get, path, fixture.Reader);
        var others = new List<HttpStatusCode>();
        foreach (var decoy in decoys)
        {
            others.Add((await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/records/{Uri.EscapeDataString(decoy)}", fixture.Reader)).Status);
        }

        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(id, found.Body.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, similar.Status);
        Assert.Equal(id, similar.Body.GetProperty("id").GetString());
        Assert.DoesNotContain(similar.Body.GetProperty("hits").EnumerateArray(), h => h.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.NoContent, feedback.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.All(others, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    // The ids as JSON string contents (so a lone surrogate reaches the server as the client wrote it).
    [Theory]
    [InlineData(".", "'.' cannot be a record id")]
    [InlineData("..", "'..' cannot be a record id")]
    [InlineData("a\\u0000b", "control character U+0000")]
    [InlineData("tab\\there", "control character U+0009")]
    [InlineData("\\ud800x", "unpaired surrogate")]
    [InlineData("x513", "at most 512")]
    public async Task RecordIds_APathCannotCarry_AreRefusedAtUpsert_WithTheReason(string id, string reason)
    {
        SkipIfMissing();
        id = id == "x513" ? new string('x', 513) : id;
        var name = await CollectionAsync(("r1", "Cordless Drill"));

        var refused = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", fixture.Writer,
            raw: System.Text.Encoding.UTF8.GetBytes($$"""[{"id": "{{id}}", "title": "x"}]"""));
        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}", fixture.Reader);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains(reason, refused.Body.GetProperty("detail").GetString());
        Assert.Equal(1, described.Body.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task PrivateValues_NeverAppearInAnyAnswer()
    {
        SkipIfMissing();
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", fixture.Admin,
            new { model = "minilm", fields = new[] { "title", "supplier" }, privateFields = new[] { "supplier", "cost" } });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", fixture.Writer, new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V", supplier = "zyxwqorp", cost = 41.37 },
            new { id = "d2", title = "Cordless Drill Kit", supplier = "zyxwqorp", cost = 70.11 },
            new { id = "h1", title = "Garden Hose", supplier = "qwxzyvup", cost = 9.05 },
        });
        var answers = new List<string>();
        foreach (var method in new[] { "bm25", "dense", "hybrid" })
        {
            foreach (var query in new[] { "zyxwqorq drill", "cordless drill", "qwxzyvuq hose" }) // misspelt private words: never corrected to them
            {
                answers.Add(await TextAsync(HttpMethod.Post, $"/v1/collections/{name}/search", new { query, method, explain = true, top = 3 }));
            }
        }

        answers.Add(await TextAsync(HttpMethod.Get, $"/v1/collections/{name}/records/d1/similar?top=3", null));
        answers.Add(await TextAsync(HttpMethod.Get, $"/v1/collections/{name}/records/d1", null));
        answers.Add(await TextAsync(HttpMethod.Get, $"/v1/collections/{name}", null));
        answers.Add(await TextAsync(HttpMethod.Post, $"/v1/collections/{name}/search", new { query = "drill", filters = new[] { new { field = "cost", min = 41.3, max = 41.4 } } }));
        answers.Add(await TextAsync(HttpMethod.Post, $"/v1/collections/{name}/search", new { query = "drill", filters = new[] { new { field = "supplier", equals = "zyxwqorp" } } }));
        using var metrics = await Server.Client.GetAsync("/metrics");
        answers.Add(await metrics.Content.ReadAsStringAsync());

        var all = string.Join('\n', answers);
        foreach (var secret in new[] { "zyxwqorp", "qwxzyvup" })
        {
            Assert.False(all.Contains(secret, StringComparison.OrdinalIgnoreCase), $"'{secret}' appears in an answer:\n{all}");
        }

        // A cost is a number of its own: 9.05 inside a timing such as "tookMs":59.0508 is not a leak.
        foreach (var cost in new[] { "41.37", "70.11", "9.05" })
        {
            Assert.False(Regex.IsMatch(all, $@"(?<![\d.]){Regex.Escape(cost)}(?![\d])"), $"'{cost}' appears in an answer:\n{all}");
        }

        Assert.Contains("private field", answers[^3]);
        Assert.Contains("\"id\":\"d1\"", answers[1]); // the scan read real answers
    }

    [Fact]
    public async Task Models_ReadRoutesNameOnlyServedModels_AndSayNothingAboutTheFileSystem()
    {
        SkipIfMissing();
        var answers = new List<(string Path, string Model, int Status, string Detail)>();
        foreach (var model in new[] { "/etc", "/nonexistent", "/proc/self/root/etc", fixture.Models, "../models" })
        {
            foreach (var (path, body) in new (string, object)[]
            {
                ("/v1/embed", new { texts = new[] { "drill" }, model }),
                ("/v1/embeddings", new { input = "drill", model }),
                ("/v1/match", new { query = "drill", texts = new[] { "drill" }, model }),
                ("/v1/rerank", new { query = "drill", documents = new[] { "drill" }, model }),
                ("/v2/rerank", new { query = "drill", documents = new[] { "drill" }, model }),
                ("/rerank", new { query = "drill", texts = new[] { "drill" }, model }),
            })
            {
                var (status, answer) = await Server.SendAsync(HttpMethod.Post, path, fixture.Reader, body);
                answers.Add((path, model, (int)status, Reason(answer)));
            }
        }

        var bundled = await Server.SendAsync(HttpMethod.Post, "/v1/embed", fixture.Reader, new { texts = new[] { "drill" }, model = "MiniLM-int8" });

        Assert.All(answers, a => Assert.Equal(400, a.Status));
        Assert.Single(answers.Select(a => a.Detail.Replace(a.Model, "MODEL", StringComparison.Ordinal)).Distinct());
        Assert.DoesNotContain(answers, a => a.Detail.Replace(a.Model, "MODEL", StringComparison.Ordinal) is var said
            && (said.Contains("lacks", StringComparison.Ordinal) || said.Contains("exist", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, bundled.Status);
    }

    // The reason an error gives, in whichever shape its route answers (ProblemDetails, OpenAI, Cohere, TEI).
    private static string Reason(JsonElement answer) =>
        answer.TryGetProperty("detail", out var detail) ? detail.GetString()!
        : answer.TryGetProperty("error", out var error) ? (error.ValueKind == JsonValueKind.Object ? error.GetProperty("message") : error).GetString()!
        : answer.GetProperty("message").GetString()!;

    protected static string NewName() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private IEnumerable<string> Variants(string path)
    {
        var segments = path.Split('/');
        string Join(IEnumerable<string> parts) => string.Join('/', parts);
        yield return path;
        yield return Join(segments.Select((s, i) => i == 1 ? s.ToUpperInvariant() : s)); // /V1/...
        yield return Join(segments.Select((s, i) => i is 1 or 2 ? s.ToUpperInvariant() : s)); // /V1/COLLECTIONS/...
        yield return Join(segments.Select((s, i) => i == 1 ? "%76%31" : s)); // /%76%31/... ("v1" percent-encoded)
        yield return Join(segments.Select((s, i) => i == 1 ? "V%31" : s));
        yield return "/" + path; // //v1/...
        yield return path + "/";
        yield return path.Replace("/v1/", "/v1/./", StringComparison.Ordinal);
        yield return path.Replace("/v1/", "/x/../v1/", StringComparison.Ordinal);
        yield return path.Replace("/v1/", "/x/%2E%2E/V1/", StringComparison.Ordinal);
        yield return path.Replace("/v1/", "/v1%2F", StringComparison.Ordinal);
        yield return $"http://{new Uri(fixture.Server.Url).Authority}{path}"; // absolute-form target
    }

    private static string? Body(string pattern) => pattern switch
    {
        _ when pattern.EndsWith("/records", StringComparison.Ordinal) => """[{"id": "x1", "title": "Claw Hammer"}]""",
        _ when pattern.EndsWith("/search", StringComparison.Ordinal) => """{"query": "drill"}""",
        _ when pattern.EndsWith("/feedback", StringComparison.Ordinal) => """{"query": "drill", "shown": ["r1"]}""",
        _ when pattern.EndsWith("/events", StringComparison.Ordinal) => """[{"queryId": "q", "action": "click", "objectId": "r1", "position": 1}]""",
        _ when pattern.EndsWith("/generations", StringComparison.Ordinal) => """{"model": "minilm-int8"}""",
        "/v1/collections/{name}" => """{"model": "minilm"}""",
        "/v1/match" => """{"query": "drill", "texts": ["drill"]}""",
        "/v1/embed" => """{"texts": ["drill"]}""",
        "/v1/embeddings" => """{"input": "drill"}""",
        "/v1/rerank" or "/v2/rerank" => """{"query": "drill", "documents": ["drill"]}""",
        "/rerank" => """{"query": "drill", "texts": ["drill"]}""",
        _ => null,
    };

    // The app's own endpoint list (built in-process over an empty data directory; nothing listens).
    private static async Task<List<(string Method, string Pattern, Scope? Scope)>> EndpointsAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "semmatch-endpoints-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new ServerOptions { DataDirectory = data };
            using var models = new ModelProvider();
            await using var storage = await ServiceStorage.OpenAsync(options, models, CancellationToken.None);
            await using var app = SemanticMatchServer.Build(options, storage, models, ApiKeys.Load(data));
            return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'),
                        e.Metadata.GetMetadata<IAllowAnonymous>() is null ? e.Metadata.GetMetadata<RequiredScope>()?.Scope : (Scope?)null)))];
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private void SkipIfMissing()
    {
        if (fixture.Missing is { } missing)
        {
            Assert.Skip(missing);
        }
    }

    private async Task<string> CollectionAsync(params (string Id, string Title)[] records)
    {
        var name = NewName();
        var created = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", fixture.Admin, new { model = "minilm" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var upserted = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", fixture.Writer,
            records.Select(r => new Dictionary<string, string> { ["id"] = r.Id, ["title"] = r.Title }).ToArray());
        Assert.Equal(HttpStatusCode.OK, upserted.Status);
        return name;
    }

    private async Task<string> TextAsync(HttpMethod method, string path, object? json)
    {
        using var response = await Server.Client.SendAsync(Server.Request(method, path, fixture.Reader, json));
        return await response.Content.ReadAsStringAsync();
    }
}

/// <summary>The hostile-client suite on the embedded store (the API tests' server).</summary>
[Collection(ServiceCollection.Name)]
public sealed class EmbeddedHostileClientTests(ServiceFixture fixture) : HostileClientConformance(fixture);

/// <summary>The hostile-client suite on PostgreSQL (PGlite).</summary>
public sealed class PostgresHostileClientTests(PostgresServiceFixture fixture) : HostileClientConformance(fixture), IClassFixture<PostgresServiceFixture>;
