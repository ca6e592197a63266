using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>Each key has its own token bucket, whatever the path's spelling: over it, 429 with Retry-After; another key is not affected.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-rate-" + Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;
    private string _first = string.Empty;
    private string _second = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var data = Path.Combine(_root, "data");
        _first = Keys.Add(data, "first", "read");
        _second = Keys.Add(data, "second", "read");
        _server = await ServerProcess.StartAsync(data, Path.Combine(_root, "models"), "--rate-limit", "2");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task OverTheLimit_Gets429WithRetryAfter_PerKey()
    {
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        for (var i = 0; i < 12; i++)
        {
            // Every spelling of a path shares the key's bucket: the limit is bound to the endpoint.
            using var response = await _server.Client.SendAsync(_server.Request(HttpMethod.Get, i % 2 == 0 ? "/v1/collections" : "/V1/Collections", _first));
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.ToString();
        }

        var other = await _server.SendAsync(HttpMethod.Get, "/v1/collections", _second);
        using var health = await _server.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 4, 7); // a burst of 4, plus what refills meanwhile
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task TheClientLibrary_WaitsWhatRetryAfterSays_AndEveryCallSucceeds()
    {
        using var client = new Client.SemanticMatchClient(new Client.SemanticMatchClientOptions { Endpoint = new Uri(_server.Url), ApiKey = _second });

        var answers = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add((await client.ListCollectionsAsync()).Count);
        }

        // 8 calls in a row through a bucket of 2: without honouring Retry-After, the third would have thrown rate_limited.
        Assert.Equal(Enumerable.Repeat(answers[0], 8), answers);
    }
}
