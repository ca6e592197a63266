using System.Diagnostics;
using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// Real faults under a real server: a data directory on a small tmpfs that fills up, a log made immutable
/// (<c>chattr +i</c>). Both need root (mount, CAP_LINUX_IMMUTABLE); without it the tests skip and say so.
/// </summary>
public sealed class StorageFaultServerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-disk-" + Guid.NewGuid().ToString("N"));
    private string? _mount;

    private string Models => Path.Combine(_root, "models");

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_mount is not null && Run("umount", _mount) != 0)
        {
            Run("umount", "-l", _mount); // still busy: detach it, the kernel frees it when the last user goes
        }

        Run("chattr", "-R", "-i", _root);
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AFullDisk_Is507_TheRefusedWriteNeverComesBack_AndWritesResumeWhenSpaceIsFreed()
    {
        _mount = Path.Combine(_root, "disk");
        Directory.CreateDirectory(_mount);
        if (Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", _mount) != 0)
        {
            _mount = null;
            Assert.Skip("cannot mount a tmpfs here (needs root): the full-disk test is not run");
        }

        var data = Path.Combine(_mount, "data");
        await using (var server = await ServerProcess.StartAsync(data, Models))
        {
            await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
            var ok1 = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "ok1", title = "Cordless Drill" } });
            // Larger than a page, so it needs room the full disk does not have.
            var feedback = new { query = "cordless drill", shown = Enumerable.Range(0, 20).Select(i => new string('a', 490) + i).ToArray(), clicked = new[] { "ok1" }, session = "s1" };
            await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/feedback", json: feedback);
            var filler = Fill(_mount);
            var refused = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "failed", title = "Garden Hose" } });
            var refusedFeedback = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/feedback", json: feedback);
            var afterRefusal = await server.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/failed");
            File.Delete(filler);
            var ok2 = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "ok2", title = "Claw Hammer" } });
            var feedbackAgain = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/feedback", json: feedback);
            server.Kill();

            Assert.Equal(HttpStatusCode.OK, ok1.Status);
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.Status);
            Assert.Contains("No space left on device", refused.Body.GetProperty("detail").GetString());
            Assert.Contains("nothing of this write was applied", refused.Body.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.NotFound, afterRefusal.Status);
            Assert.Equal(HttpStatusCode.OK, ok2.Status);
            Assert.Equal(HttpStatusCode.InsufficientStorage, refusedFeedback.Status);
            Assert.Equal(HttpStatusCode.NoContent, feedbackAgain.Status);
            var events = File.ReadAllLines(Path.Combine(data, "feedback", "shop.jsonl"));
            Assert.Equal(2, events.Length); // the refused event left no line and glued nothing to the next
            Assert.All(events, e => System.Text.Json.JsonDocument.Parse(e).Dispose());
        }

        await using var restarted = await ServerProcess.StartAsync(data, Models);
        Assert.Equal(HttpStatusCode.NotFound, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/failed")).Status);
        Assert.Equal(HttpStatusCode.OK, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/ok1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/ok2")).Status);
    }

    [Fact]
    public async Task AnImmutableLog_Is503_WritesResumeWhenItIsWritableAgain_AndShutdownDoesNotHang()
    {
        var data = Path.Combine(_root, "data");
        await using var server = await ServerProcess.StartAsync(data, Models);
        await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
        await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "a", title = "Cordless Drill" } });
        var log = Path.Combine(data, "collections", "shop", "wal.log");
        if (Run("chattr", "+i", log) != 0)
        {
            Assert.Skip("chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE): the immutable-file test is not run");
        }

        (HttpStatusCode Status, System.Text.Json.JsonElement Body) refused, again;
        try
        {
            refused = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "b", title = "Hose" } }).WaitAsync(TimeSpan.FromSeconds(20));
            again = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "c", title = "Rake" } }).WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            Run("chattr", "-i", log);
        }

        var accepted = await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "d", title = "Claw Hammer" } }).WaitAsync(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        await server.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.Status);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"SIGTERM took {clock.Elapsed}");
        Assert.Equal(0, server.ExitCode);
        await using var restarted = await ServerProcess.StartAsync(data, Models);
        Assert.Equal(HttpStatusCode.NotFound, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/b")).Status);
        Assert.Equal(HttpStatusCode.OK, (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop/records/d")).Status);
    }

    [Fact]
    public async Task AnImmutableFolder_WithASnapshotDue_KeepsTakingWrites_AndADropThatCannotHappenChangesNothing()
    {
        var data = Path.Combine(_root, "data");
        await using var server = await ServerProcess.StartAsync(data, Models, "--snapshot-after", "4000");
        await server.SendAsync(HttpMethod.Put, "/v1/collections/shop", json: new { model = "minilm" });
        await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", json: new[] { new { id = "a", title = "Cordless Drill" } });
        var folder = Path.Combine(data, "collections", "shop");
        if (Run("chattr", "+i", folder) != 0)
        {
            Assert.Skip("chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE): the immutable-folder test is not run");
        }

        var statuses = new List<HttpStatusCode>();
        HttpStatusCode dropped;
        try
        {
            for (var i = 0; i < 8; i++) // each batch passes the snapshot threshold, and each snapshot fails
            {
                statuses.Add((await server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records",
                    json: Enumerable.Range(0, 3).Select(j => new { id = $"p{i}-{j}", title = $"Garden hose {i} {j}" }).ToArray()).WaitAsync(TimeSpan.FromSeconds(20))).Status);
            }

            dropped = (await server.SendAsync(HttpMethod.Delete, "/v1/collections/shop").WaitAsync(TimeSpan.FromSeconds(20))).Status;
        }
        finally
        {
            Run("chattr", "-i", folder);
        }

        var stillThere = (await server.SendAsync(HttpMethod.Get, "/v1/collections/shop")).Body.GetProperty("count").GetInt32();
        server.Kill();
        await using var restarted = await ServerProcess.StartAsync(data, Models);
        var afterRestart = (await restarted.SendAsync(HttpMethod.Get, "/v1/collections/shop")).Body.GetProperty("count").GetInt32();
        var droppedNow = await restarted.SendAsync(HttpMethod.Delete, "/v1/collections/shop");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, dropped);
        Assert.Equal(25, stillThere);
        Assert.Equal(25, afterRestart);
        Assert.Equal(HttpStatusCode.NoContent, droppedNow.Status);
    }

    // Fills the file system until it refuses more; returns the filler file.
    private static string Fill(string mount)
    {
        var filler = Path.Combine(mount, "filler");
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            for (var size = 4096; size > 0; size /= 2)
            {
                try
                {
                    while (true)
                    {
                        file.Write(block.AsSpan(0, size));
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return filler;
    }

    private static int Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // not installed
        }
    }
}
