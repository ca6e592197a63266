using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>With one slot and one queue place, a burst of slow requests gets 503 + Retry-After at once for the rest.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-admission-" + Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = await ServerProcess.StartAsync(Path.Combine(_root, "data"), Path.Combine(_root, "models"), "--max-concurrent", "1", "--max-queue", "1");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Burst_BeyondTheQueue_Gets503WithRetryAfter_AndTheRestSucceed()
    {
        var texts = Enumerable.Range(0, 256).Select(i => $"cordless drill driver kit with two batteries number {i}").ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await _server.Client.SendAsync(_server.Request(HttpMethod.Post, "/v1/embed", json: new { texts }));
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.ToString());
        }));
        using var health = await _server.Client.GetAsync("/healthz");

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, r.ToString()));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.Equal("1", r.RetryAfter));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
