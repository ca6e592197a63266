using System.Net;
using System.Text;

namespace SemanticMatch.Server.Tests;

/// <summary>Memory per request is bounded (NDJSON lines), upload errors name the right line, and /metrics forgets dropped collections.</summary>
[Collection(ServiceCollection.Name)]
public sealed class UploadAndMetricsTests(ServiceFixture service)
{
    private ServerProcess Server => service.Server;

    [Fact]
    public async Task AnNdjsonLineWithoutEnd_IsRefusedNamingIt_AndMemoryStaysBounded()
    {
        var name = await CollectionAsync();

        var (status, detail, growth) = await SendEndlessAsync(name, "application/x-ndjson",
            "{\"id\": \"ok\", \"title\": \"Cordless Drill\"}\n{\"id\": \"big\", \"title\": \"");

        Assert.True(growth < 60L << 20, $"RSS grew by {growth >> 20} MB for one 100 MB line");
        if (status is not null)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Contains("line 2: longer than 1048576 bytes", detail);
        }
    }

    [Fact]
    public async Task AnOversizedJsonUpload_Is413_AndMemoryStaysBounded()
    {
        var name = await CollectionAsync();

        var (status, _, growth) = await SendEndlessAsync(name, "application/json", "[{\"id\": \"big\", \"title\": \"");
        var described = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}", service.Reader);

        Assert.True(growth < 60L << 20, $"RSS grew by {growth >> 20} MB for one 100 MB body");
        Assert.True(status is null or HttpStatusCode.RequestEntityTooLarge, $"answered {status}");
        Assert.Equal(1, described.Body.GetProperty("count").GetInt32());
    }

    // Uploads a 100 MB body that never ends its record; returns the answer (null: the server answered and closed while
    // the body was still being sent, which some clients see only as a broken connection) and the server's RSS growth.
    private async Task<(HttpStatusCode? Status, string Detail, long Growth)> SendEndlessAsync(string name, string contentType, string prefix)
    {
        var before = Server.ResidentBytes();
        using var request = Server.Request(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer);
        request.Content = new StreamContent(new EndlessLine(prefix, bytes: 100L << 20));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        HttpStatusCode? status = null;
        var detail = string.Empty;
        try
        {
            using var response = await Server.Client.SendAsync(request);
            status = response.StatusCode;
            detail = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
        }

        return (status, detail, Server.ResidentBytes() - before);
    }

    [Fact]
    public async Task NdjsonErrors_NameTheirOwnLine_AndARepeatedIdLaterInTheStreamReplacesTheEarlier()
    {
        var name = await CollectionAsync();
        var lines = Enumerable.Range(1, 1999).Select(i => Encoding.UTF8.GetBytes($"{{\"id\": \"n{i}\", \"title\": \"drill {i}\"}}\n"));
        var body = lines.SelectMany(b => b).Concat(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}', (byte)'\n' }).ToArray();
        var repeated = Encoding.UTF8.GetBytes("{\"id\": \"r\", \"title\": \"first\"}\n{\"id\": \"r\", \"title\": \"second\"}\n");

        var broken = await SendNdjsonAsync(name, body);
        var replaced = await SendNdjsonAsync(name, repeated);
        var record = await Server.SendAsync(HttpMethod.Get, $"/v1/collections/{name}/records/r", service.Reader);

        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.StartsWith("line 2000: not UTF-8", broken.Detail);
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal("second", record.Body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Metrics_ForgetADroppedCollection()
    {
        var name = await CollectionAsync();
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/search", service.Reader, new { query = "drill" });
        var whileThere = await Server.Client.GetStringAsync("/metrics");
        await Server.SendAsync(HttpMethod.Delete, $"/v1/collections/{name}", service.Admin);
        await Task.Delay(TimeSpan.FromSeconds(1)); // past the exporter's scrape cache
        var afterDrop = await Server.Client.GetStringAsync("/metrics");

        Assert.Contains($"collection=\"{name}\"", whileThere);
        Assert.DoesNotContain(name, afterDrop);
    }

    private async Task<string> CollectionAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Server.SendAsync(HttpMethod.Put, $"/v1/collections/{name}", service.Admin, new { model = "minilm" });
        await Server.SendAsync(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, new[] { new { id = "d1", title = "Cordless Drill" } });
        return name;
    }

    private async Task<(HttpStatusCode Status, string Detail)> SendNdjsonAsync(string name, byte[] body)
    {
        using var request = Server.Request(HttpMethod.Post, $"/v1/collections/{name}/records", service.Writer, raw: body);
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await Server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var detail = response.IsSuccessStatusCode ? string.Empty : System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        return (response.StatusCode, detail);
    }

    // A prefix, then 'x' for ever (up to a bound): one line that never ends, produced as it is read.
    private sealed class EndlessLine(string prefix, long bytes) : Stream
    {
        private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, bytes - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = _position + i < _prefix.Length ? _prefix[_position + i] : (byte)'x';
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
