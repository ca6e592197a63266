using System.Diagnostics;
using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// A real server over a data directory with damaged files: each is named, never cut or replaced, the healthy
/// collections serve, and <c>semmatch recover</c> salvages on purpose.
/// </summary>
public sealed class DamagedDataServerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-damage-" + Guid.NewGuid().ToString("N"));

    private string Data => Path.Combine(_root, "data");

    private string Models => Path.Combine(_root, "models");

    private string Shop => Path.Combine(Data, "collections", "shop");

    public async ValueTask InitializeAsync()
    {
        await using var server = await ServerProcess.StartAsync(Data, Models);
        await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
        await server.SendAsync(HttpMethod.Put, "/v1/collections/other", json: new { model = "minilm" });
        await server.SendAsync(HttpMethod.Post, "/v1/collections/other/records", json: new[] { new { id = "o1", title = "Garden Rake" } });
        for (var batch = 0; batch < 10; batch++)
        {
            await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records",
                json: Enumerable.Range(0, 3).Select(i => new { id = $"p{batch * 3 + i}", title = $"Cordless drill model {batch * 3 + i}" }).ToArray());
        }

        await server.StopAsync();
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AFlippedByteInTheLog_IsNamedAtStart_NothingIsCut_AndRecoverSalvagesTheRest()
    {
        var log = Path.Combine(Shop, "wal.log");
        var bytes = File.ReadAllBytes(log);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(log, bytes);

        int recovered;
        string report;
        await using (var server = await ServerProcess.StartAsync(Data, Models))
        {
            var search = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", json: new { query = "drill" });
            var other = await server.SendAsync(HttpMethod.Get, "/v1/collections/other");

            Assert.Contains("collection 'shop' is not served:", server.Output);
            Assert.Contains("wal.log is damaged at byte", server.Output);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, search.Status);
            Assert.Contains("semmatch recover --collection shop", search.Body.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.OK, other.Status);
            Assert.Equal(bytes, File.ReadAllBytes(log));
            (recovered, report) = Cli("recover", "--data", Data, "--collection", "shop"); // refused: the server holds the data directory
            Assert.Equal(2, recovered);
            Assert.Contains("in use by another process", report);
        }

        (recovered, report) = Cli("recover", "--data", Data, "--collection", "shop");
        await using var restarted = await ServerProcess.StartAsync(Data, Models);
        var count = (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop")).Body.GetProperty("count").GetInt32();

        Assert.Equal(0, recovered);
        Assert.Contains("lost", report);
        Assert.Contains("wal.log.damaged-", report);
        Assert.Single(Directory.GetFiles(Shop, "wal.log.damaged-*"));
        Assert.Equal(27, count); // one group commit of three records was in the damaged bytes
    }

    [Fact]
    public async Task AFolderWithoutSettings_IsReported_AndAPutOfItsNameIsAConflictThatKeepsItsLog()
    {
        File.Delete(Path.Combine(Shop, "collection.json"));
        var log = File.ReadAllBytes(Path.Combine(Shop, "wal.log"));

        await using var server = await ServerProcess.StartAsync(Data, Models);
        var put = await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });

        Assert.Contains("collection 'shop' is not served:", server.Output);
        Assert.Contains("has no collection.json", server.Output);
        Assert.Equal(HttpStatusCode.Conflict, put.Status);
        Assert.Equal(log, File.ReadAllBytes(Path.Combine(Shop, "wal.log")));
    }

    [Theory]
    [InlineData("collection.json")]
    [InlineData("snapshot.jsonl")]
    public async Task AGarbledCollectionFile_IsNamed_NotCalledABug_AndTheOthersServe(string file)
    {
        File.WriteAllText(Path.Combine(Shop, file), "{\"this is\": not json");

        await using var server = await ServerProcess.StartAsync(Data, Models);
        var shop = await server.SendAsync(HttpMethod.Get, "/v1/collections/shop");
        var other = await server.SendAsync(HttpMethod.Get, "/v1/collections/other/records/o1");

        Assert.Contains($"collection 'shop' is not served: {Path.Combine(Shop, file)}", server.Output);
        Assert.DoesNotContain("bug", server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, shop.Status);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public void AGarbledKeysFile_StopsTheServerWithAUserError_NamingIt()
    {
        var keys = Path.Combine(Data, "keys.json");
        File.WriteAllText(keys, "[{\"name\": \"admin\", \"scopes\": [\"admin\"], \"sha256\": \"12");

        var (code, output) = Cli("serve", "--data", Data, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, code);
        Assert.Contains($"{keys} is not a keys file", output);
        Assert.DoesNotContain("bug", output, StringComparison.OrdinalIgnoreCase);
    }

    private (int ExitCode, string Output) Cli(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "semmatch.dll") }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SEMANTICMATCH_MODELS"] = Models;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(TimeSpan.FromMinutes(2));
        return (process.ExitCode, output + error.Result);
    }
}
