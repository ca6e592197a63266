using System.Net;
using System.Text.Json;

namespace SemanticMatch.Server.Tests;

/// <summary>The traffic log through the real server: query ids, events, and the judgments estimated from them.</summary>
[Collection(ServiceCollection.Name)]
public sealed class TrafficLogTests(ServiceFixture service)
{
    private ServerProcess Server => service.Server;

    [Fact]
    public async Task Events_ReferToLoggedSearches_AndJudgmentsCorrectForPosition()
    {
        var name = await CollectionAsync();
        var hitsShown = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader,
                new { query = "cordless drill", top = 4, method = "bm25", session = "shopper-secret-" + (i % 3) });
            Assert.Equal(HttpStatusCode.OK, search.Status);
            var queryId = search.Body.GetProperty("queryId").GetString()!;
            var hits = search.Body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("id").GetString()!).ToList();
            hitsShown = hits;
            // Every hit seen; the shopper always clicks the third one (position 3), never the first.
            var events = hits.Select((id, k) => (object)new { queryId, action = "impression", objectId = id, position = k + 1, session = "shopper-secret-" + (i % 3) })
                .Append(new { queryId, action = "click", objectId = hits[2], position = 3, session = "shopper-secret-" + (i % 3) }).ToArray();
            var logged = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, events);
            Assert.Equal(HttpStatusCode.OK, logged.Status);
            Assert.Equal(5, logged.Body.GetProperty("recorded").GetInt32());
        }

        var judgments = await CsvAsync($"/v1/collections/{name}/judgments");
        var naive = await CsvAsync($"/v1/collections/{name}/judgments?clickModel=naive");
        var log = await File.ReadAllLinesAsync(Path.Combine(service.Data, "feedback", name + ".jsonl"));

        Assert.Equal(4, hitsShown.Count);
        Assert.Equal("query,product_id,relevance,impressions,clicks", judgments[0]);
        var relevance = judgments.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[1], c => double.Parse(c[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4, relevance.Count);
        Assert.True(relevance[hitsShown[2]] > 0.8, $"clicked every time: {relevance[hitsShown[2]]}");
        Assert.True(relevance[hitsShown[0]] < 0.2, $"examined (above the click) and skipped every time: {relevance[hitsShown[0]]}");
        Assert.Equal($"cordless drill,{hitsShown[2]},2,10,10", naive.Single(l => l.Contains(hitsShown[2], StringComparison.Ordinal)));
        Assert.Equal($"cordless drill,{hitsShown[0]},1,10,0", naive.Single(l => l.Contains(hitsShown[0], StringComparison.Ordinal)));
        Assert.Equal(20, log.Length); // ten searches, ten batches of events
        Assert.DoesNotContain("shopper-secret", string.Join('\n', log));
        var first = JsonDocument.Parse(log[0]).RootElement.GetProperty("search");
        Assert.Equal("cordless drill", first.GetProperty("query").GetString());
        Assert.Equal(hitsShown, first.GetProperty("hits").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("bm25", first.GetProperty("method").GetString());
    }

    [Fact]
    public async Task AMalformedEvent_RefusesTheWholeRequest_NamingIt_AndUbiEventsAreAccepted()
    {
        var name = await CollectionAsync();
        var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "drill", top = 3 });
        var queryId = search.Body.GetProperty("queryId").GetString()!;
        var valid = new { queryId, action = "click", objectId = "d1", position = 1 };

        var badPosition = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer,
            new object[] { valid, new { queryId, action = "click", objectId = "d2", position = "first" } });
        var badAction = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer,
            new object[] { new { queryId, action = "hover", objectId = "d2", position = 2 } });
        var noQueryId = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, new object[] { new { action = "click", objectId = "d2", position = 2 } });
        var notArray = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, valid);
        var readerKey = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Reader, new object[] { valid });
        var unknown = await Server.SendAsync(HttpMethod.Post, "/v1/collections/no-such/events", service.Writer, new object[] { valid });
        var linesAfterRefusals = (await File.ReadAllLinesAsync(Path.Combine(service.Data, "feedback", name + ".jsonl"))).Length;
        var ubi = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, new object[]
        {
            new { application = "shop", action_name = "click", query_id = queryId, session_id = "s-9", timestamp = "2026-12-02T10:00:00Z",
                event_attributes = new { @object = new { object_id = "d1", object_id_field = "id" }, position = new { ordinal = 1 } } },
        });
        var log = await File.ReadAllLinesAsync(Path.Combine(service.Data, "feedback", name + ".jsonl"));

        Assert.Equal(HttpStatusCode.BadRequest, badPosition.Status);
        Assert.Contains("events[1].position", badPosition.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badAction.Status);
        Assert.Contains("events[0].action: 'hover' is not one of", badAction.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noQueryId.Status);
        Assert.Contains("events[0].queryId: required", noQueryId.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, notArray.Status);
        Assert.Equal(HttpStatusCode.Forbidden, readerKey.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(1, linesAfterRefusals); // the search alone: nothing of a refused request was stored
        Assert.Equal(HttpStatusCode.OK, ubi.Status);
        var stored = JsonDocument.Parse(log[1]).RootElement.GetProperty("events")[0];
        Assert.Equal("click", stored.GetProperty("action").GetString());
        Assert.Equal("d1", stored.GetProperty("objectId").GetString());
        Assert.Equal(queryId, stored.GetProperty("queryId").GetString());
        Assert.NotEqual("s-9", stored.GetProperty("session").GetString());
    }

    [Fact]
    public async Task Analytics_CountTheLoggedSearchesAndClicks_ForAdminsOnly()
    {
        var name = await CollectionAsync();
        var queryIds = new List<string>();
        foreach (var query in (string[])["cordless drill", "Cordless Drill", "cordless drill", "zzqx"])
        {
            var search = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query, top = 3, method = "bm25", spellCorrection = false });
            queryIds.Add(search.Body.GetProperty("queryId").GetString()!);
        }

        // The first two drill searches get a click at positions 1 and 3; the third none; nobody clicks on nothing.
        var logged = await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/events", service.Writer, new object[]
        {
            new { queryId = queryIds[0], action = "click", objectId = "d1", position = 1 },
            new { queryId = queryIds[1], action = "click", objectId = "d3", position = 3 },
        });
        Assert.Equal(HttpStatusCode.OK, logged.Status);

        var (status, report) = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/analytics?limit=5", service.Admin);
        var asReader = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/analytics", service.Reader);
        var badFrom = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/analytics?from=yesterday", service.Admin);
        var future = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/analytics?from=2999-01-01&to=2999-01-02", service.Admin);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, report.GetProperty("searches").GetInt32());
        Assert.Equal(1, report.GetProperty("noResults").GetInt32());
        Assert.Equal(2, report.GetProperty("clicked").GetInt32());
        Assert.Equal(2 / 3.0, report.GetProperty("clickThroughRate").GetDouble(), 10);
        Assert.Equal(2.0, report.GetProperty("meanClickPosition").GetDouble(), 10);
        var top = report.GetProperty("topQueries")[0];
        Assert.Equal("cordless drill", top.GetProperty("query").GetString());
        Assert.Equal(3, top.GetProperty("searches").GetInt32());
        Assert.Equal("zzqx", report.GetProperty("noResultQueries")[0].GetProperty("query").GetString());
        Assert.Equal(0, report.GetProperty("noClickQueries").GetArrayLength());
        Assert.Equal(4, Assert.Single(report.GetProperty("days").EnumerateArray()).GetProperty("searches").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, asReader.Status);
        Assert.Equal(HttpStatusCode.BadRequest, badFrom.Status);
        Assert.Equal("invalid_request", badFrom.Body.GetProperty("code").GetString());
        Assert.StartsWith("from: 'yesterday' is not an ISO 8601 date", badFrom.Body.GetProperty("detail").GetString());
        Assert.Equal(0, future.Body.GetProperty("searches").GetInt32());
    }

    [Fact]
    public async Task Suggest_OffersAQueryShoppersSearched_OnceItFoundResultsThreeTimesForTwoSessions()
    {
        var name = await CollectionAsync();
        var before = await SuggestAsync(name, "cord");
        foreach (var session in new[] { "s-1", "s-1", "s-2" })
        {
            await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "Cordless Drill Kit", method = "bm25", session });
        }

        for (var i = 0; i < 5; i++)
        {
            await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "cordless drill 20v", method = "bm25", session = "s-3" });
        }

        var after = await SuggestAsync(name, "cord");
        var typo = await SuggestAsync(name, "cordelss");

        Assert.Equal(["cordless", "corded"], before);
        Assert.Equal(["cordless drill kit", "cordless", "corded"], after); // the one-session query is not offered
        Assert.Equal(["cordless drill kit", "cordless"], typo); // two letters swapped
    }

    private async Task<List<string?>> SuggestAsync(string name, string q)
    {
        var answer = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/suggest?q={Uri.EscapeDataString(q)}&limit=5", service.Reader);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()).ToList();
    }

    private async Task<string> CollectionAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Admin, new[]
        {
            new { id = "d1", title = "Cordless Drill 20V" }, new { id = "d2", title = "Cordless Drill Kit" },
            new { id = "d3", title = "Drill Bits for a cordless drill" }, new { id = "d4", title = "Corded Drill" },
        });
        return name;
    }

    private async Task<string[]> CsvAsync(string path)
    {
        using var response = await Server.Client.SendAsync(Server.Request(HttpMethod.Get, path, service.Admin));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
