using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Extensions;

namespace SemanticMatch.Extensions.Tests;

/// <summary>An application wires SemanticMatch through DI and uses it through Microsoft.Extensions.AI, with the real MiniLM.</summary>
public sealed class AddSemanticMatchTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-di-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task EmbeddingGenerator_FromDI_EmbedsWithOurModel()
    {
        await using var services = Services();
        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var embeddings = await generator.GenerateAsync(["cordless drill", "20V cordless drill driver kit", "garden hose"], cancellationToken: TestContext.Current.CancellationToken);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Equal(3, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(384, e.Vector.Length));
        var drill = TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[1].Vector.Span);
        var hose = TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[2].Vector.Span);
        Assert.True(drill > hose, $"drill {drill} vs hose {hose}");
        Assert.Equal("minilm", metadata!.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal(services.GetRequiredService<IModelProvider>().Encoder("minilm").EncodeOne("garden hose", TextRole.Document), embeddings[2].Vector.ToArray());
    }

    [Fact]
    public async Task EmbeddingGenerator_WrongDimensions_IsAClearError()
    {
        await using var services = Services();
        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }, TestContext.Current.CancellationToken));

        Assert.Equal("minilm makes 384-dimensional embeddings, not 768", error.Message);
    }

    [Fact]
    public async Task CollectionStore_FromDI_IsDurable()
    {
        await using (var services = Services())
        {
            var store = services.GetRequiredService<ICollectionStore>();
            await store.CreateAsync("shop", new CollectionSettings(), TestContext.Current.CancellationToken);
            await store.UpsertAsync("shop", [new Collections.Record("d1", new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["title"] = System.Text.Json.JsonSerializer.SerializeToElement("Cordless Drill"),
            })], TestContext.Current.CancellationToken);
        }

        await using var reopened = Services();
        Assert.Equal("Cordless Drill", (await reopened.GetRequiredService<ICollectionStore>().FindAsync("shop", "d1", TestContext.Current.CancellationToken))!.Text("title"));
    }

    [Fact]
    public void WithoutADataDirectory_NoCollectionStoreIsRegistered()
    {
        Directory.CreateDirectory(_root);
        using var services = new ServiceCollection().AddSemanticMatch(o => o.ModelStore = Path.Combine(_root, "models")).BuildServiceProvider();

        Assert.Null(services.GetService<ICollectionStore>());
    }

    [Fact]
    public async Task PostgresStore_FromDI_OpensOnFirstUse_AndKeepsRecords()
    {
        if (PgliteServer.Locate().Missing is { } missing)
        {
            Assert.Skip(missing);
        }

        await using var database = await PgliteServer.StartAsync();
        var options = new Collections.Postgres.PostgresStoreOptions { ConnectionString = database.ConnectionString() };
        await using (var services = new ServiceCollection()
            .AddSemanticMatch(o => { o.ModelStore = Path.Combine(_root, "models"); o.EncoderThreads = 1; })
            .AddSemanticMatchPostgres(options)
            .BuildServiceProvider())
        {
            var store = services.GetRequiredService<ICollectionStore>(); // nothing is opened yet
            await store.CreateAsync("shop", new CollectionSettings(), TestContext.Current.CancellationToken);
            await store.UpsertAsync("shop", [new Collections.Record("d1", new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["title"] = System.Text.Json.JsonSerializer.SerializeToElement("Cordless Drill"),
            })], TestContext.Current.CancellationToken);
        }

        await using var reopened = new ServiceCollection()
            .AddSemanticMatch(o => o.ModelStore = Path.Combine(_root, "models"))
            .AddSemanticMatchPostgres(options)
            .BuildServiceProvider();
        var hits = await reopened.GetRequiredService<ICollectionStore>().SearchAsync("shop", new CollectionQuery { Query = "drill" }, TestContext.Current.CancellationToken);
        Assert.Equal("d1", Assert.Single(hits.Hits).Record.Id);
    }

    private ServiceProvider Services() => new ServiceCollection()
        .AddSemanticMatch(o =>
        {
            o.ModelStore = Path.Combine(_root, "models");
            o.DataDirectory = Path.Combine(_root, "data");
            o.EncoderThreads = 1;
        })
        .BuildServiceProvider();
}
