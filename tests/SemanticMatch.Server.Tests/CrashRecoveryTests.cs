using System.Collections.Concurrent;
using System.Net;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// Several clients stream upserts and deletes into a real server, which is SIGKILLed at seeded moments (20 trials, with
/// snapshots every few dozen writes so some kills land while one is written). After each restart every acknowledged
/// write is there, every record that is there is exactly what a client sent, and each batch is there whole or not at all.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int Seed = 7_2026;
    private const int Trials = 20;
    private const int Writers = 3;
    private const int BatchSize = 8;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-crash-" + Guid.NewGuid().ToString("N"));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SigkillDuringWrites_LosesNothingAcknowledged_AndKeepsNothingHalfWritten()
    {
        var data = Path.Combine(_root, "data");
        var models = Path.Combine(_root, "models");
        var random = new Random(Seed);
        var sent = new ConcurrentDictionary<string, (string Title, int Batch)>(); // every record any client sent, by id
        var batches = new ConcurrentDictionary<int, string[]>();
        var acked = new ConcurrentDictionary<string, byte>();
        var deletedAcked = new ConcurrentDictionary<string, byte>();
        var deleteTried = new ConcurrentDictionary<string, byte>(); // a delete cut off by the kill may or may not have landed
        var batchCounter = 0;
        string[] extra = ["--snapshot-after", "20000"];

        for (var trial = 0; trial < Trials; trial++)
        {
            await using var server = await ServerProcess.StartAsync(data, models, extra);
            await VerifyAsync(server, sent, batches, acked, deletedAcked, deleteTried, $"seed {Seed}, before trial {trial}");
            var created = await server.SendAsync(HttpMethod.Put, "/v1/collections/c", json: new { model = "minilm", fields = new[] { "title" } });
            Assert.True(created.Status is HttpStatusCode.Created or HttpStatusCode.OK, created.ToString());
            var killAfter = TimeSpan.FromMilliseconds(200 + random.Next(1200));
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var writerRandom = new Random(Seed * 31 + trial * Writers + w);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (writerRandom.Next(5) == 0 && !acked.IsEmpty)
                        {
                            var victim = acked.Keys.ElementAt(writerRandom.Next(acked.Count));
                            deleteTried[victim] = 0;
                            var deleted = await server.SendAsync(HttpMethod.Delete, $"/v1/collections/c/records/{victim}");
                            if (deleted.Status == HttpStatusCode.NoContent)
                            {
                                deletedAcked[victim] = 0;
                            }

                            continue;
                        }

                        var batch = Interlocked.Increment(ref batchCounter);
                        var ids = Enumerable.Range(0, BatchSize).Select(i => $"t{trial}-b{batch}-{i}").ToArray();
                        batches[batch] = ids;
                        var records = ids.Select(id => new { id, title = $"product {id} cordless drill {writerRandom.Next(1000)}" }).ToArray();
                        foreach (var r in records)
                        {
                            sent[r.id] = (r.title, batch);
                        }

                        var upserted = await server.SendAsync(HttpMethod.Post, "/v1/collections/c/records", json: records);
                        if (upserted.Status == HttpStatusCode.OK)
                        {
                            foreach (var id in ids)
                            {
                                acked[id] = 0;
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                    {
                        return; // the server died under this request
                    }
                }
            })).ToList();
            await Task.Delay(killAfter);
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await using var last = await ServerProcess.StartAsync(data, models, extra);
        await VerifyAsync(last, sent, batches, acked, deletedAcked, deleteTried, $"seed {Seed}, after the last trial");
        Assert.True(acked.Count > Trials * BatchSize, $"only {acked.Count} records were acknowledged in {Trials} trials");
        Assert.True(File.Exists(Path.Combine(data, "collections", "c", "snapshot.jsonl")), "no trial wrote a snapshot");
    }

    [Fact]
    public async Task Sigterm_ShutsDownGracefully_AndKeepsEveryWrite()
    {
        var data = Path.Combine(_root, "graceful");
        var models = Path.Combine(_root, "models");
        var server = await ServerProcess.StartAsync(data, models);
        await server.SendAsync(HttpMethod.Put, "/v1/collections/g", json: new { model = "minilm" });
        var upserted = await server.SendAsync(HttpMethod.Post, "/v1/collections/g/records", json: new[] { new { id = "a", title = "Cordless Drill" } });

        await server.StopAsync();
        var exitCode = server.ExitCode;
        await server.DisposeAsync();
        await using var restarted = await ServerProcess.StartAsync(data, models);
        var record = await restarted.SendAsync(HttpMethod.Get, "/v1/collections/g/records/a");

        Assert.Equal(HttpStatusCode.OK, upserted.Status);
        Assert.Equal(0, exitCode);
        Assert.Equal("Cordless Drill", record.Body.GetProperty("title").GetString());
    }

    private static async Task VerifyAsync(ServerProcess server, ConcurrentDictionary<string, (string Title, int Batch)> sent,
        ConcurrentDictionary<int, string[]> batches, ConcurrentDictionary<string, byte> acked, ConcurrentDictionary<string, byte> deletedAcked,
        ConcurrentDictionary<string, byte> deleteTried, string when)
    {
        var present = new Dictionary<string, string>();
        foreach (var id in sent.Keys)
        {
            var (status, body) = await server.SendAsync(HttpMethod.Get, $"/v1/collections/c/records/{id}");
            if (status == HttpStatusCode.OK)
            {
                present[id] = body.GetProperty("title").GetString()!;
            }
            else
            {
                Assert.True(status == HttpStatusCode.NotFound, $"{when}: GET {id} gave {status}");
            }
        }

        foreach (var id in acked.Keys.Where(id => !deleteTried.ContainsKey(id)))
        {
            Assert.True(present.ContainsKey(id), $"{when}: acknowledged record {id} is lost");
        }

        foreach (var id in deletedAcked.Keys)
        {
            Assert.False(present.ContainsKey(id), $"{when}: record {id} came back after an acknowledged delete");
        }

        foreach (var (id, title) in present)
        {
            Assert.Equal(sent[id].Title, title);
        }

        // A batch is applied whole: its records are all there, or all absent (apart from ones deleted since).
        foreach (var ids in batches.Values)
        {
            var alive = ids.Where(id => !deleteTried.ContainsKey(id)).ToList();
            var count = alive.Count(present.ContainsKey);
            Assert.True(count == 0 || count == alive.Count, $"{when}: batch {string.Join(",", ids)} is half there");
        }
    }
}
