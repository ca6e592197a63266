using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Cli.Tests;

/// <summary>
/// <c>semmatch retrain</c> end to end on a small scripted log: judgments from the log split in time, a model trained
/// from the serving MiniLM by semmatch-train, both compared on the later slice, the decision recorded, a generation built.
/// </summary>
public sealed class RetrainCommandTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Semmatch _semmatch = new();

    public void Dispose() => _semmatch.Dispose();

    [Fact]
    public async Task Retrain_TrainsFromTheLog_ComparesOnTheLaterSlice_RecordsTheDecision_AndBuildsAGeneration()
    {
        var data = Path.Combine(_semmatch.Root, "data");
        string[] kinds = ["cordless drill", "garden hose", "kitchen faucet", "led bulb", "paint roller", "claw hammer"];
        using (var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models")))
        {
            await using var store = EmbeddedCollectionStore.Open(data, models);
            await store.CreateAsync("shop", new CollectionSettings { Model = "minilm" });
            await store.UpsertAsync("shop", [.. kinds.SelectMany((kind, k) => Enumerable.Range(0, 4).Select(i =>
                Collections.Record.FromJson(JsonDocument.Parse($$"""{"id": "p{{k}}-{{i}}", "title": "{{kind}} model {{i}}"}""").RootElement, "p")))]);
        }

        // Shoppers: each query is shown its kind's four products and the first other kind's; they click product 2 of their kind.
        var entries = new List<TrafficEntry>();
        var random = new Random(20261203);
        for (var s = 0; s < 240; s++)
        {
            var k = s % kinds.Length;
            var id = $"q{s}";
            var hits = Enumerable.Range(0, 4).Select(i => $"p{k}-{i}").Append($"p{(k + 1) % kinds.Length}-0").OrderBy(_ => random.Next()).ToList();
            var time = s_start.AddHours(s);
            var search = new LoggedSearch(id, kinds[k], kinds[k], "hybrid", [], 1, 0, hits, $"session-{s % 40}");
            var events = hits.Select((h, i) => new LoggedEvent(id, EventAction.Impression, h, i + 1, search.Session))
                .Append(new LoggedEvent(id, EventAction.Click, $"p{k}-2", hits.IndexOf($"p{k}-2") + 1, search.Session)).ToList();
            entries.Add(new TrafficEntry(time, search, events));
        }

        using (var log = new FileFeedbackStore(data))
        {
            await log.AppendAsync("shop", entries);
        }

        var output = Path.Combine(_semmatch.Root, "retrained");
        var window = new[] { "--from", "2026-11-01", "--to", s_start.AddHours(240).ToString("O") };
        var dry = _semmatch.Run(["retrain", "--data", data, "--collection", "shop", "--out", output + "-dry", "--min-evidence", "1", "--dry-run", "--click-model", "naive", .. window]);
        var run = _semmatch.Run(["retrain", "--data", data, "--collection", "shop", "--out", output, "--min-evidence", "1", "--margin", "-1", .. window]);
        var again = _semmatch.Run(["retrain", "--data", data, "--collection", "shop", "--out", output, .. window]);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var decision = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "retrain-decision.json"))).RootElement;
        Assert.Equal(s_start.AddHours(192), decision.GetProperty("split").GetDateTimeOffset()); // the last 20% of the window held out
        Assert.True(decision.GetProperty("trainJudgments").GetInt32() >= 24, decision.ToString());
        Assert.True(decision.GetProperty("heldOutQueries").GetInt32() == kinds.Length, decision.ToString());
        Assert.Equal("minilm", decision.GetProperty("servingModel").GetString());
        Assert.InRange(decision.GetProperty("servingNdcg").GetDouble(), 0, 1);
        Assert.InRange(decision.GetProperty("candidateNdcg").GetDouble(), 0, 1);
        Assert.True(decision.GetProperty("promoted").GetBoolean());
        Assert.Equal(2, decision.GetProperty("generation").GetInt32());
        Assert.Contains("generation 2 started", run.Stdout.ReplaceLineEndings(" "));
        Assert.True(File.Exists(Path.Combine(output + "-data", "judgments.csv")));
        var dryDecision = JsonDocument.Parse(File.ReadAllText(Path.Combine(output + "-dry", "retrain-decision.json"))).RootElement;
        Assert.Equal(JsonValueKind.Null, dryDecision.GetProperty("generation").ValueKind);
        Assert.Equal("minilm", dryDecision.GetProperty("servingModel").GetString());
        Assert.InRange(dryDecision.GetProperty("servingNdcg").GetDouble(), 0, 1); // naive grades 0-3 as the gains
        Assert.Equal(2, again.ExitCode); // --out is not empty: a user mistake, nothing trained
        Assert.Contains("is not empty", again.Stderr);

        using var check = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models"));
        await using var reopened = EmbeddedCollectionStore.Open(data, check);
        var info = await reopened.DescribeAsync("shop");
        Assert.Equal((2, Path.GetFullPath(output), 24), (info.Generation, info.Settings.Model, info.Count));
    }
}
