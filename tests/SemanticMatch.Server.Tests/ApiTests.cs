using System.Net;
using System.Text.Json;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;

namespace SemanticMatch.Server.Tests;

[Collection(ServiceCollection.Name)]
public sealed class ApiTests(ServiceFixture service)
{
    private ServerProcess Server => service.Server;

    [Fact]
    public async Task Collections_CreateUpsertSearchSimilarDelete_EndToEnd()
    {
        var name = NewName();
        var created = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin,
            new { model = "minilm", fields = new[] { "title" }, privateFields = new[] { "cost" } });
        var again = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin,
            new { model = "minilm", fields = new[] { "title" }, privateFields = new[] { "cost" } });
        var conflict = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { fields = new[] { "name" } });
        var upserted = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V", category = "tools", price = 99.0, cost = 41.0 },
            new { id = "d2", title = "Cordless Drill Kit with Battery", category = "tools", price = 149.0, cost = 70.0 },
            new { id = "h1", title = "Garden Hose 50 ft", category = "garden", price = 25.0, cost = 9.0 },
        });
        var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader,
            new { query = "cordles dril", top = 2, method = "hybrid" });
        var filtered = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader,
            new { query = "drill", method = "bm25", filters = new object[] { new { field = "price", max = 120 }, new { field = "category", @in = new[] { "tools" } } } });
        var similar = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/records/d1/similar?top=5", service.Reader);
        var record = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/records/d1", service.Reader);
        var deleted = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{name}/records/d1", service.Writer);
        var gone = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/records/d1", service.Reader);
        var deletedAgain = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{name}/records/d1", service.Writer);
        var listed = await Server.SendAsync(HttpMethod.Get, "/v1/collections", service.Reader);
        var dropped = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{name}", service.Admin);
        var droppedSearch = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "drill" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(3, upserted.Body.GetProperty("upserted").GetInt32());
        Assert.Equal("cordless drill", search.Body.GetProperty("searched").GetString());
        Assert.True(search.Body.GetProperty("corrected").GetBoolean());
        var hits = search.Body.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.StartsWith("d", h.GetProperty("id").GetString()));
        Assert.All(hits, h => Assert.False(h.GetProperty("record").TryGetProperty("cost", out _)));
        Assert.Equal(["d1"], filtered.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
        Assert.Equal("d2", similar.Body.GetProperty("hits")[0].GetProperty("id").GetString());
        Assert.DoesNotContain(similar.Body.GetProperty("hits").EnumerateArray(), h => h.GetProperty("id").GetString() == "d1");
        Assert.Equal("Cordless Drill 20V", record.Body.GetProperty("title").GetString());
        Assert.Equal(99.0, record.Body.GetProperty("price").GetDouble());
        Assert.False(record.Body.TryGetProperty("cost", out _));
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.Status);
        Assert.Contains(listed.Body.GetProperty("collections").EnumerateArray(), c => c.GetProperty("name").GetString() == name && c.GetProperty("count").GetInt32() == 2);
        Assert.Equal(HttpStatusCode.NoContent, dropped.Status);
        Assert.Equal(HttpStatusCode.NotFound, droppedSearch.Status);
    }

    [Fact]
    public async Task CollectionWithARanker_GivesProbabilities_AndFiltersByThem()
    {
        var ranker = Path.Combine(service.Root, "ranker-" + Guid.NewGuid().ToString("N"));
        RankerWriter.Write(ranker, TinyRanker.Train());
        var name = NewName();
        var created = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm", ranker });
        var missing = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{NewName()}", service.Admin, new { ranker = ranker + "-nope" });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V" }, new { id = "d2", title = "Cordless Drill Kit with Battery" }, new { id = "h1", title = "Garden Hose 50 ft" },
        });
        var all = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "cordless drill", top = 3 });
        var probabilities = all.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("probability").GetSingle()).ToList();
        var cut = probabilities.Max();
        var likely = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "cordless drill", top = 3, minProbability = cut });
        var bm25 = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "drill", method = "bm25" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(ranker, created.Body.GetProperty("ranker").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("is not a ranker directory", missing.Body.GetProperty("detail").GetString());
        Assert.Equal(3, probabilities.Count);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(probabilities.Count(p => p >= cut), likely.Body.GetProperty("hits").GetArrayLength());
        Assert.All(bm25.Body.GetProperty("hits").EnumerateArray(), h => Assert.False(h.TryGetProperty("probability", out _)));
    }

    [Fact]
    public async Task DemoCollection_IsServedOnANewDataDirectory()
    {
        var result = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader, new { query = "white kitchen faucet", top = 3 });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.All(result.Body.GetProperty("hits").EnumerateArray(),
            h => Assert.Contains("Kitchen Faucet", h.GetProperty("record").GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("电热水壶", "bm25", "电热水壶")]
    [InlineData("电热水壶", "hybrid", "电热水壶")]
    [InlineData("降噪蓝牙耳机", "hybrid", "蓝牙耳机")]
    [InlineData("iPhone15手机壳", "bm25", "手机壳")]
    [InlineData("ｉＰｈｏｎｅ 15 手机壳", "hybrid", "手机壳")]
    [InlineData("无线电钻", "bm25", "电钻")]
    public async Task ChineseDemo_QueriesFindTheRightProducts(string query, string method, string category)
    {
        var result = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo-zh/search", service.Reader, new { query, method, top = 3 });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.All(result.Body.GetProperty("hits").EnumerateArray(),
            h => Assert.Equal(category, h.GetProperty("record").GetProperty("category").GetString()));
        Assert.Equal(3, result.Body.GetProperty("hits").GetArrayLength());
    }

    [Fact]
    public async Task Match_And_Embed()
    {
        var match = await Server.SendAsync(HttpMethod.Post, "/v1/match", service.Reader,
            new { query = "cordless drill", texts = new[] { "20V cordless drill driver kit", "titanium drill bit set" } });
        var jaccard = await Server.SendAsync(HttpMethod.Post, "/v1/match", service.Reader,
            new { query = "cordless drill", texts = new[] { "cordless drill kit" }, similarity = "jaccard" });
        var embed = await Server.SendAsync(HttpMethod.Post, "/v1/embed", service.Reader, new { texts = new[] { "drill", "hose" }, role = "query" });

        var scores = match.Body.GetProperty("scores").EnumerateArray().Select(s => s.GetSingle()).ToList();
        Assert.True(scores[0] > scores[1], match.Body.ToString());
        Assert.Equal(2.0 / 3, jaccard.Body.GetProperty("scores")[0].GetDouble(), 5);
        Assert.Equal(384, embed.Body.GetProperty("dimension").GetInt32());
        var vector = embed.Body.GetProperty("vectors")[0].EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(384, vector.Count);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 3);
    }

    [Fact]
    public async Task Search_WithExplain_GivesEachHitItsBm25TermsDenseWordsAndRanks()
    {
        var result = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader,
            new { query = "cordles dril", top = 3, method = "hybrid", explain = true });
        var filtered = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader,
            new { query = "white kitchen faucet", top = 5, explain = true, filters = new object[] { new { field = "brand", equals = "Aqualine" } } });
        var plain = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader, new { query = "drill", top = 1 });
        var tooMany = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader, new { query = "drill", top = 51, explain = true });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        foreach (var hit in result.Body.GetProperty("hits").EnumerateArray())
        {
            var explanation = hit.GetProperty("explanation");
            var terms = explanation.GetProperty("bm25").GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("word").GetString()).ToList();
            Assert.Equal(["cordless", "drill"], terms);
            Assert.Equal(["cordless", "drill"], explanation.GetProperty("dense").GetProperty("queryWords").EnumerateArray().Select(w => w.GetProperty("word").GetString()));
            Assert.True(explanation.GetProperty("dense").GetProperty("rank").GetInt32() >= 1);
            Assert.True(explanation.GetProperty("bm25").GetProperty("rank").GetInt32() >= 1);
            Assert.Equal(hit.GetProperty("score").GetDouble(), explanation.GetProperty("fusion").GetProperty("score").GetDouble(), 3);
        }

        foreach (var hit in filtered.Body.GetProperty("hits").EnumerateArray()) // ranks and fusion of the filtered search
        {
            Assert.Equal(hit.GetProperty("score").GetDouble(), hit.GetProperty("explanation").GetProperty("fusion").GetProperty("score").GetDouble(), 3);
        }

        Assert.False(plain.Body.GetProperty("hits")[0].TryGetProperty("explanation", out _));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.Status);
        Assert.Contains("top: must be at most 50 with explain", tooMany.Body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("faq", "how long until my refund shows up", "faq-refund-time")]
    [InlineData("faq", "my package came broken", "faq-damaged")]
    [InlineData("faq", "what is the capital of france", null)]
    [InlineData("ads", "cordless drill", "ad-voltline-drill")]
    [InlineData("ads", "new fridge", "ad-frostline-fridge")]
    [InlineData("ads", "cheap flights to rome", null)]
    public async Task ReadyMadeCollections_AnswerWithTheRightEntry_OrNothingUnderTheMinimumScore(string collection, string query, string? expected)
    {
        var result = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{collection}/search", service.Reader,
            new { query, top = 1, method = "dense", minScore = 0.4 });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(expected is null ? [] : [expected], result.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("GET", "/v1/collections", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/v1/collections", "wrong", HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/v1/collections", "reader", HttpStatusCode.OK)]
    [InlineData("PUT", "/v1/collections/auth-test", "reader", HttpStatusCode.Forbidden)]
    [InlineData("PUT", "/v1/collections/auth-test", "writer", HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "/v1/collections/demo", "writer", HttpStatusCode.Forbidden)]
    [InlineData("POST", "/v1/collections/demo/records", "reader", HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "/v1/collections/demo/records/DM0001", "reader", HttpStatusCode.Forbidden)]
    [InlineData("POST", "/v1/collections/demo/search", null, HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/v1/match", "wrong", HttpStatusCode.Unauthorized)]
    public async Task Auth_Matrix(string method, string path, string? who, HttpStatusCode expected)
    {
        var key = who switch { "reader" => service.Reader, "writer" => service.Writer, "wrong" => "smk_not-a-key", _ => null };
        object? body = method is "PUT" or "POST" ? (path.EndsWith("records", StringComparison.Ordinal) ? new[] { new { id = "x", title = "y" } } : new { query = "drill" }) : null;

        var result = await Server.SendAsync(new HttpMethod(method), path, key, body);

        Assert.Equal(expected, result.Status);
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Assert.Equal((int)expected, result.Body.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task EveryProblem_CarriesAStableCode()
    {
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        var cases = new (string Code, HttpMethod Method, string Path, string? Key, object? Body)[]
        {
            ("collection_not_found", HttpMethod.Get, "/v1/collections/nope", service.Reader, null),
            ("over_limit", HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "x", top = 99999 }),
            ("invalid_body", HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = 5 }),
            ("invalid_request", HttpMethod.Put, "/v1/collections/Bad%20Name!", service.Admin, new { model = "minilm" }),
            ("invalid_request", HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "!!!" }),
            ("collection_exists", HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "arctic" }),
            ("generation_conflict", HttpMethod.Post, $"/v1/collections/{name}/rollback", service.Admin, null),
            ("alias_conflict", HttpMethod.Put, $"/v1/aliases/{name}", service.Admin, new { collection = name }),
            ("alias_not_found", HttpMethod.Delete, "/v1/aliases/nope", service.Admin, null),
            ("invalid_request", HttpMethod.Post, $"/v1/collections/{name}/generations", service.Admin, new { model = "no-such-model" }),
            ("invalid_request", HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, new object[] { new { queryId = "q", action = "click", objectId = "x", position = 0 } }),
            ("invalid_request", HttpMethod.Get, $"/v1/collections/{name}/judgments?clickModel=dbn", service.Admin, null),
            ("unauthorized", HttpMethod.Get, "/v1/collections", null, null),
            ("forbidden", HttpMethod.Delete, $"/v1/collections/{name}", service.Reader, null),
            ("not_found", HttpMethod.Get, "/v1/no-such-route", service.Reader, null),
        };
        var answers = new List<string>();
        foreach (var (code, method, path, key, body) in cases)
        {
            var (status, answer) = await Server.SendAsync(method, path, key, body);
            var got = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("code", out var c) ? c.GetString() : null;
            answers.Add($"{method} {path}: {(int)status} {got}");
            Assert.True((int)status is >= 400 and < 500, answers[^1]);
            Assert.True(code == got, $"{answers[^1]} (wanted {code})");
            Assert.Equal((int)status, answer.GetProperty("status").GetInt32());
        }

        var (dotStatus, dotBody) = await RawHttp.SendAsync(Server.Url, "GET", $"/v1/collections/{name}/records/%2E%2E", service.Reader); // as sent, not normalised
        Assert.Equal(400, dotStatus);
        Assert.Contains("\"code\":\"invalid_path\"", dotBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_Ready_Metrics_OpenApi_AreOpen()
    {
        using var health = await Server.Client.GetAsync("/healthz");
        using var ready = await Server.Client.GetAsync("/readyz");
        await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Reader, new { query = "drill" });
        await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", key: null, json: new { query = "drill" });
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Admin, new[] { new { id = "a", title = "drill" } });
        var metrics = await Server.Client.GetStringAsync("/metrics");
        var openApi = JsonDocument.Parse(await Server.Client.GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics);
        Assert.Contains("semanticmatch_search_duration_seconds_bucket", metrics);
        Assert.Contains("semanticmatch_collection_records", metrics);
        Assert.Contains("service_name=\"semanticmatch\"", metrics); // target_info names the service
        Assert.Contains("semanticmatch_requests_rejected_total{otel_scope_name=\"SemanticMatch\",reason=\"unauthorized\"}", metrics);
        Assert.Contains("semanticmatch_encoder_batch_size_bucket", metrics);
        Assert.Contains("semanticmatch_wal_fsync_duration_seconds_bucket", metrics);
        Assert.Contains("semanticmatch_traffic_searches_lost_total{otel_scope_name=\"SemanticMatch\"} 0", metrics);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/collections/{name}/search", out _));
    }

    [Fact]
    public async Task ChineseCollection_SegmentsWords_AndAnUnknownLanguageIsRefused()
    {
        var created = await Server.SendAsync(HttpMethod.Put, "/v1/collections/zh-shop", service.Admin, new { fields = new[] { "title" }, language = "zh" });
        await Server.SendAsync(HttpMethod.Post, "/v1/collections/zh-shop/records", service.Admin, new object[]
        {
            new { id = "case", title = "苹果 iPhone 15 手机壳 透明 防摔 6.1寸" },
            new { id = "kettle", title = "不锈钢 电热水壶 家用 1.7升" },
            new { id = "rice", title = "智能 电饭煲 家用 4升" },
        });
        var kettle = await Server.SendAsync(HttpMethod.Post, "/v1/collections/zh-shop/search", service.Reader, new { query = "电热水壶", method = "bm25" });
        var mixed = await Server.SendAsync(HttpMethod.Post, "/v1/collections/zh-shop/search", service.Reader, new { query = "ｉＰｈｏｎｅ15 手机壳", method = "bm25" });
        var unknown = await Server.SendAsync(HttpMethod.Put, "/v1/collections/xx-shop", service.Admin, new { language = "klingon" });
        await Server.SendAsync(HttpMethod.Delete, "/v1/collections/zh-shop", service.Admin);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("zh", created.Body.GetProperty("language").GetString());
        Assert.Equal(["kettle"], kettle.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("record").GetProperty("id").GetString()));
        Assert.Equal("case", mixed.Body.GetProperty("hits")[0].GetProperty("record").GetProperty("id").GetString()); // full-width folded
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("language: 'klingon' is not one of: auto, en, zh", unknown.Body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/v1/collections/demo/search", "{\"query\": 5}", HttpStatusCode.BadRequest, "$.query")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"method\": \"nope\"}", HttpStatusCode.BadRequest, "method: 'nope' is not one of: bm25, dense, hybrid")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"top\": 0}", HttpStatusCode.BadRequest, "top: must be at least 1")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"top\": 5000}", HttpStatusCode.UnprocessableEntity, "top: must be at most 1000")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"denseWeight\": 1.5}", HttpStatusCode.BadRequest, "denseWeight: must be between 0 and 1")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"rerankDepth\": 0}", HttpStatusCode.BadRequest, "rerankDepth: must be at least 1")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"filters\": [{\"field\": \"price\"}]}", HttpStatusCode.BadRequest, "filters[0]: give \\\"equals\\\"")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"?!\"}", HttpStatusCode.BadRequest, "no letters or digits")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"rerank\": true}", HttpStatusCode.BadRequest, "has no re-ranker")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"minProbability\": 0.5}", HttpStatusCode.BadRequest, "collection 'demo' has no ranker")]
    [InlineData("/v1/collections/demo/search", "{\"query\": \"drill\", \"minProbability\": 2}", HttpStatusCode.BadRequest, "minProbability: must be in [0, 1]")]
    [InlineData("/v1/collections/demo/search", "", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/collections/demo/records", "{\"id\": \"x\"}", HttpStatusCode.BadRequest, "must be a JSON array of records")]
    [InlineData("/v1/collections/demo/records", "[{\"id\": null}]", HttpStatusCode.BadRequest, "record 1: 'id' must be a string")]
    [InlineData("/v1/collections/demo/records", "[{\"id\": \"a\", \"title\": \"x\"}, {\"id\": \"a\", \"title\": \"y\"}]", HttpStatusCode.BadRequest, "appears 2 times in one batch")]
    [InlineData("/v1/collections/no-such/search", "{\"query\": \"drill\"}", HttpStatusCode.NotFound, "no collection named 'no-such'")]
    [InlineData("/v1/collections/..%2F..%2Fetc/search", "{\"query\": \"drill\"}", HttpStatusCode.NotFound, "no collection named")]
    [InlineData("/v1/match", "{\"query\": \"drill\"}", HttpStatusCode.BadRequest, "give \\\"query\\\" and a non-empty \\\"texts\\\"")]
    [InlineData("/v1/match", "{\"query\": \"drill\", \"texts\": [\"a\"], \"model\": \"no-model\"}", HttpStatusCode.BadRequest, "model: 'no-model' is not a model served here")]
    public async Task BadBodies_Get4xxProblemDetails_NamingTheProblem(string path, string body, HttpStatusCode expected, string detail)
    {
        var result = await Server.SendAsync(HttpMethod.Post, path, service.Admin, raw: System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, result.Status);
        Assert.Equal((int)expected, result.Body.GetProperty("status").GetInt32());
        Assert.Contains(detail.Replace("\\\"", "\"", StringComparison.Ordinal), result.Body.GetProperty("detail").GetString() ?? string.Empty);
    }

    [Fact]
    public async Task Limits_AreNamed()
    {
        var batch = Enumerable.Range(0, 1001).Select(i => new { id = $"r{i}", title = "x" }).ToArray();
        var tooMany = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/records", service.Admin, batch);
        var longQuery = await Server.SendAsync(HttpMethod.Post, "/v1/collections/demo/search", service.Admin, new { query = new string('a', 2000) });
        using var oversized = Server.Request(HttpMethod.Post, "/v1/collections/demo/records", service.Admin, raw: new byte[17 << 20]);
        oversized.Headers.ExpectContinue = true; // the server answers before the body is sent
        using var huge = await Server.Client.SendAsync(oversized);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.Status);
        Assert.Contains("1001 records in one request; at most 1000", tooMany.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longQuery.Status);
        Assert.Contains("at most 1000", longQuery.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Feedback_IsLoggedWithHashedSessions_AndExportsAsJudgments()
    {
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Admin,
            new[] { new { id = "d1", title = "Cordless Drill" }, new { id = "d2", title = "Drill Bits" }, new { id = "h1", title = "Hose" }, new { id = "x1", title = "Ladder" } });
        object[] events =
        [
            new { query = "drill", rejected = new[] { "x1" }, session = "secret-session-0" }, // the search page's "not relevant"
            new { query = "drill", shown = new[] { "d1", "d2", "h1" }, clicked = new[] { "d1" }, purchased = new[] { "d1" }, session = "secret-session-1" },
            new { query = "Drill ", shown = new[] { "d2", "h1" }, clicked = new[] { "d2" }, session = "secret-session-2" },
            new { query = "drill", shown = new[] { "h1" }, session = "secret-session-3" },
        ];
        foreach (var e in events)
        {
            var logged = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/feedback", service.Writer, e);
            Assert.Equal(HttpStatusCode.NoContent, logged.Status);
        }

        var denied = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/feedback", service.Reader, events[1]);
        var csv = Path.Combine(service.Root, name + "-judgments.csv");
        var export = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "semmatch.dll"), "feedback", "export", "--data", service.Data, "--collection", name, "--out", csv, "--click-model", "naive"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await export.WaitForExitAsync();

        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(["query,product_id,relevance,impressions,clicks", "drill,d1,3,1,1", "drill,d2,2,2,1", "drill,h1,1,3,0", "drill,x1,0,1,0"], File.ReadAllLines(csv));
        var log = File.ReadAllText(Path.Combine(service.Data, "feedback", name + ".jsonl"));
        Assert.DoesNotContain("secret-session", log);
        Assert.Equal(4, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Records_NdjsonStream_LoadsInBatches_AndABadLineSaysHowFarItGot()
    {
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        var lines = Enumerable.Range(0, 1200).Select(i => $"{{\"id\": \"n{i}\", \"title\": \"cordless drill model {i}\", \"price\": {i}}}");
        var bad = Enumerable.Range(0, 700).Select(i => $"{{\"id\": \"m{i}\", \"title\": \"hose {i}\"}}").Append("{\"id\": ").Append("{\"id\": \"after\", \"title\": \"x\"}");

        var loaded = await SendNdjson($"/v1/collections/{name}/records", lines);
        var broken = await SendNdjson($"/v1/collections/{name}/records", bad);
        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}", service.Reader);

        Assert.Equal(HttpStatusCode.OK, loaded.Status);
        Assert.Equal(1200, loaded.Body.GetProperty("upserted").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.Contains("line 701: not valid JSON", broken.Body.GetProperty("detail").GetString());
        Assert.Contains("the 500 records before it were upserted", broken.Body.GetProperty("detail").GetString());
        Assert.Equal(1700, described.Body.GetProperty("count").GetInt32());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendNdjson(string path, IEnumerable<string> lines)
    {
        using var request = Server.Request(HttpMethod.Post, path, service.Admin, raw: System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await Server.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Synonyms_MultiAndOneWay_RoundTrip_ExplainWhichMatched_AndABadOneIsNamed()
    {
        var name = NewName();
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm", fields = new[] { "title" } });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, new object[]
        {
            new { id = "s1", title = "Grey Sofa Cover" }, new { id = "p1", title = "Smartphone Case" }, new { id = "p2", title = "Phone Stand" },
        });
        var put = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}/synonyms", service.Admin,
            new { synonyms = new[] { new[] { "Couch", "sofa" } }, oneWay = new[] { new { input = "phone", synonyms = new[] { "smartphone" } } } });
        var got = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/synonyms", service.Reader);
        var smartphone = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "smartphone", method = "bm25" });
        var couch = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "couch", method = "bm25", explain = true });
        var missing = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}/synonyms", service.Admin, new { oneWay = new[] { new { input = "phone" } } });
        var empty = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}/synonyms", service.Admin, new { });

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal("""{"synonyms":[["couch","sofa"]],"oneWay":[{"input":"phone","synonyms":["smartphone"]}]}""", got.Body.GetRawText());
        Assert.Equal(["p1"], smartphone.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
        var sofa = couch.Body.GetProperty("hits")[0].GetProperty("explanation").GetProperty("bm25").GetProperty("terms").EnumerateArray()
            .Single(t => t.GetProperty("word").GetString() == "sofa");
        Assert.Equal("couch", sofa.GetProperty("synonymOf").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.StartsWith("oneWay[0].synonyms: give 1 to 50", missing.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Contains("\"oneWay\"", empty.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAlias_ServesEveryCollectionRoute_SwapsAtomically_AndGuardsWhatItNames()
    {
        var (alias, first, second) = (NewName(), NewName(), NewName());
        foreach (var (name, title) in new[] { (first, "Cordless Drill"), (second, "Garden Hose") })
        {
            await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
            await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, new object[] { new { id = "p1", title } });
        }

        var created = await Server.SendAsync(HttpMethod.Put, $"/v1/aliases/{alias}", service.Admin, new { collection = first });
        var beforeSwap = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{alias}/records/p1", service.Reader);
        var swapped = await Server.SendAsync(HttpMethod.Put, $"/v1/aliases/{alias}", service.Admin, new { collection = second });
        var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{alias}/search", service.Reader, new { query = "hose", method = "bm25" });
        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{alias}", service.Reader);
        var events = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{alias}/events", service.Writer,
            new[] { new { queryId = search.Body.GetProperty("queryId").GetString(), action = "click", objectId = "p1", position = 1, session = "s1" } });
        var got = await Server.SendAsync(HttpMethod.Get, $"/v1/aliases/{alias}", service.Reader);
        var listed = await Server.SendAsync(HttpMethod.Get, "/v1/aliases", service.Reader);
        var createOver = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{alias}", service.Admin, new { model = "minilm" });
        var dropNamed = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{second}", service.Admin);
        var dropAlias = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{alias}", service.Admin);
        var overCollection = await Server.SendAsync(HttpMethod.Put, $"/v1/aliases/{first}", service.Admin, new { collection = second });
        var noBody = await Server.SendAsync(HttpMethod.Put, $"/v1/aliases/{alias}", service.Admin, new { });
        var byWriter = await Server.SendAsync(HttpMethod.Put, $"/v1/aliases/{alias}", service.Writer, new { collection = first });
        var deleted = await Server.SendAsync(HttpMethod.Delete, $"/v1/aliases/{alias}", service.Admin);
        var gone = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{alias}/search", service.Reader, new { query = "hose" });
        var missingAlias = await Server.SendAsync(HttpMethod.Get, $"/v1/aliases/{alias}", service.Reader);

        Assert.Equal((HttpStatusCode.Created, first), (created.Status, created.Body.GetProperty("collection").GetString()));
        Assert.Equal("Cordless Drill", beforeSwap.Body.GetProperty("title").GetString());
        Assert.Equal((HttpStatusCode.OK, second), (swapped.Status, swapped.Body.GetProperty("collection").GetString()));
        Assert.Equal(["p1"], search.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()));
        Assert.Equal(second, described.Body.GetProperty("name").GetString());
        Assert.True(events.Status is HttpStatusCode.OK or HttpStatusCode.NoContent, $"events: {events.Status}");
        Assert.Equal(second, got.Body.GetProperty("collection").GetString());
        Assert.Contains(listed.Body.GetProperty("aliases").EnumerateArray(), a => a.GetProperty("alias").GetString() == alias);
        Assert.Equal((HttpStatusCode.Conflict, "alias_conflict"), (createOver.Status, createOver.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.Conflict, "alias_conflict"), (dropNamed.Status, dropNamed.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.Conflict, "alias_conflict"), (dropAlias.Status, dropAlias.Body.GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, overCollection.Status);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.Status);
        Assert.StartsWith("collection: must be given", noBody.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, byWriter.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal((HttpStatusCode.NotFound, "collection_not_found"), (gone.Status, gone.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, "alias_not_found"), (missingAlias.Status, missingAlias.Body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task AnExperiment_InterleavesSearches_AndItsReportCreditsTheCandidateShoppersClick()
    {
        var (serving, candidate) = (NewName(), NewName());
        foreach (var (name, prefix) in new[] { (serving, "s"), (candidate, "c") })
        {
            await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
            await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer,
                Enumerable.Range(1, 5).Select(i => new { id = $"{prefix}{i}", title = $"cordless drill model {i}" }).ToArray());
        }

        var started = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{serving}/experiment", service.Admin, new { candidate, share = 1.0 });
        var mixed = 0;
        for (var i = 0; i < 12; i++)
        {
            // A shopper who prefers the candidate: clicks its first hit (the page cannot tell which side a hit came from).
            var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{serving}/search", service.Reader, new { query = "cordless drill", top = 6, session = $"s{i}" });
            var ids = search.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToList();
            mixed += ids.Any(id => id[0] == 's') && ids.Any(id => id[0] == 'c') ? 1 : 0;
            var pick = ids.FindIndex(id => id[0] == 'c');
            await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{serving}/events", service.Writer,
                new[] { new { queryId = search.Body.GetProperty("queryId").GetString(), action = "click", objectId = ids[pick], position = pick + 1, session = $"s{i}" } });
        }

        var report = await Eventually(async () => await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{serving}/experiment", service.Admin),
            r => r.Body.GetProperty("results").GetArrayLength() == 1 && r.Body.GetProperty("results")[0].GetProperty("withClicks").GetInt32() == 12);
        var noCandidate = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{serving}/experiment", service.Admin, new { share = 0.5 });
        var badShare = await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{serving}/experiment", service.Admin, new { candidate, share = 1.5 });
        var stopped = await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{serving}/experiment", service.Admin);
        var plain = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{serving}/search", service.Reader, new { query = "cordless drill", top = 6 });
        var afterStop = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{serving}/experiment?from=2026-01-01", service.Admin);

        Assert.Equal((HttpStatusCode.OK, candidate, 1.0), (started.Status, started.Body.GetProperty("candidate").GetString(), started.Body.GetProperty("share").GetDouble()));
        Assert.Equal(12, mixed);
        var result = report.Body.GetProperty("results")[0];
        Assert.Equal((candidate, 12, 12, 0, 0, "candidate"), (result.GetProperty("candidate").GetString(), result.GetProperty("searches").GetInt32(),
            result.GetProperty("wins").GetInt32(), result.GetProperty("losses").GetInt32(), result.GetProperty("ties").GetInt32(), result.GetProperty("verdict").GetString()));
        Assert.Equal(serving, report.Body.GetProperty("running").GetProperty("collection").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noCandidate.Status);
        Assert.StartsWith("candidate: must be given", noCandidate.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badShare.Status);
        Assert.Equal(HttpStatusCode.NoContent, stopped.Status);
        Assert.All(plain.Body.GetProperty("hits").EnumerateArray(), h => Assert.StartsWith("s", h.GetProperty("id").GetString(), StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, afterStop.Body.GetProperty("running").ValueKind);
        Assert.Equal(12, afterStop.Body.GetProperty("results")[0].GetProperty("wins").GetInt32()); // the log stays
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Eventually(Func<Task<(HttpStatusCode Status, JsonElement Body)>> ask,
        Func<(HttpStatusCode Status, JsonElement Body), bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var answer = await ask();
        while (!done(answer) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100); // searches are logged in the background
            answer = await ask();
        }

        return answer;
    }

    private static string NewName() => "t-" + Guid.NewGuid().ToString("N")[..12];
}
