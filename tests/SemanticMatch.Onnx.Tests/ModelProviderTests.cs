using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

/// <summary>The provider loads one copy of a model per identity, however its name or path is spelled.</summary>
[Collection(BundledModelCollection.Name)]
public sealed class ModelProviderTests(BundledModelFixture fixture) : IDisposable
{
    private readonly string _links = Path.Combine(Path.GetTempPath(), "semmatch-links-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_links))
        {
            Directory.Delete(_links, recursive: true);
        }
    }

    [Fact]
    public void OneModel_UnderEverySpelling_IsLoadedOnce()
    {
        Directory.CreateDirectory(_links);
        var link = Path.Combine(_links, "minilm-link");
        Directory.CreateSymbolicLink(link, fixture.Model.Path);
        var copy = Path.Combine(_links, "minilm-copy");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(fixture.Model.Path))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        using var models = new ModelProvider();
        var spellings = new[]
        {
            "minilm", "MiniLM", fixture.Model.Path, fixture.Model.Path + "/", fixture.Model.Path + "/.",
            Path.Combine(fixture.Model.Path, "..", Path.GetFileName(fixture.Model.Path)), "/proc/self/root" + fixture.Model.Path, link, copy,
        };

        var encoders = spellings.Select(models.Encoder).ToList();

        Assert.All(encoders, e => Assert.Same(encoders[0], e));
        Assert.NotSame(encoders[0], models.Encoder("minilm-int8"));
    }
}
