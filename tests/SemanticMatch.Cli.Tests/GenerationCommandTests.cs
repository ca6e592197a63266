using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Cli.Tests;

/// <summary><c>semmatch generation build</c> and <c>rollback</c> on a data directory, with the real bundled models.</summary>
public sealed class GenerationCommandTests : IDisposable
{
    private readonly Semmatch _semmatch = new();

    public void Dispose() => _semmatch.Dispose();

    [Fact]
    public async Task Build_ReembedsWithTheNewModel_AndRollbackServesTheOldOneAgain()
    {
        var data = Path.Combine(_semmatch.Root, "data");
        using (var models = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models")))
        {
            await using var store = EmbeddedCollectionStore.Open(data, models);
            await store.CreateAsync("shop", new CollectionSettings { Model = "minilm" });
            await store.UpsertAsync("shop", Enumerable.Range(0, 300).Select(i => Collections.Record.FromJson(
                System.Text.Json.JsonDocument.Parse($$"""{"id": "p{{i}}", "title": "cordless drill model {{i}}"}""").RootElement, "p")).ToList());
        }

        var built = _semmatch.Run("generation", "build", "--data", data, "--collection", "shop", "--model", "minilm-int8");
        var rolledBack = _semmatch.Run("generation", "rollback", "--data", data, "--collection", "shop");
        var again = _semmatch.Run("generation", "rollback", "--data", data, "--collection", "shop");

        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Contains("now serves generation 2 (minilm-int8); generation 1 stays", built.Stdout.ReplaceLineEndings(" "));
        Assert.True(rolledBack.ExitCode == 0, rolledBack.ToString());
        Assert.Contains("serves generation 1 (minilm) again", rolledBack.Stdout);
        Assert.Contains("serves generation 2 (minilm-int8) again", again.Stdout);
        using var check = new ModelProvider(Path.Combine(_semmatch.Root, "cache", "models"));
        await using var reopened = EmbeddedCollectionStore.Open(data, check);
        var info = await reopened.DescribeAsync("shop");
        Assert.Equal((2, "minilm-int8", 300), (info.Generation, info.Settings.Model, info.Count));
    }
}
