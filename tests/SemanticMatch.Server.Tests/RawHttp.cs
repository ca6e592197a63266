using System.Net.Sockets;
using System.Text;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// HTTP/1.1 requests written byte for byte (like <c>curl --path-as-is</c>): the path goes out exactly as given, with
/// its dot segments, case and percent-encoding, which HttpClient would normalise away.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Body)> SendAsync(string url, string method, string rawPath, string? key = null, string? json = null)
    {
        var uri = new Uri(url);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        await using var stream = client.GetStream();
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        var head = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{method} {rawPath} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nConnection: close\r\n") +
            (key is null ? string.Empty : $"Authorization: Bearer {key}\r\n") +
            (json is null ? string.Empty : "Content-Type: application/json\r\n") +
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var status = response.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, out var parsed) ? parsed : 0;
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, split < 0 ? string.Empty : response[(split + 4)..]);
    }
}
