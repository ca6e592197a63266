using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

[Collection(BundledModelCollection.Name)]
public sealed class ModelDirectoryTests(BundledModelFixture fixture)
{
    [Fact]
    public void Resolve_UnknownName_ListsTheChoices()
    {
        var error = Assert.Throws<ModelFormatException>(() => BundledModels.Resolve("bert-huge"));

        Assert.Equal("unknown model 'bert-huge': use minilm, arctic, minilm-int8, arctic-int8, or the path of a model directory", error.Message);
    }

    [Fact]
    public void Open_MissingFile_NamesIt()
    {
        using var temp = new TempModel(fixture.Model, fixture.Model.Config);
        File.Delete(Path.Combine(temp.Path, ModelDirectory.VocabFile));

        var error = Assert.Throws<ModelFormatException>(() => ModelDirectory.Open(temp.Path));

        Assert.Contains("lacks vocab.txt", error.Message);
    }

    [Theory]
    [InlineData("{ \"name\": \"x\", \"format\": \"other/9\" }", "format 'other/9' is not 'semanticmatch-model/1'")]
    [InlineData("{ \"name\": \"x\", \"maxLength\": 1 }", "maxLength 1 is outside 3..8192")]
    [InlineData("{ \"name\": \"x\", \"pooling\": \"median\" }", "invalid model config")]
    [InlineData("{ \"name\": \"x\", \"poolng\": \"mean\" }", "invalid model config")]
    public void Open_InvalidConfig_SaysWhatIsWrong(string json, string expected)
    {
        using var temp = new TempModel(fixture.Model, fixture.Model.Config);
        File.WriteAllText(Path.Combine(temp.Path, ModelDirectory.ConfigFile), json);

        var error = Assert.Throws<ModelFormatException>(() => ModelDirectory.Open(temp.Path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Materialize_WritesTheDocumentedFormat_AndIsIdempotent()
    {
        var store = Path.Combine(Path.GetTempPath(), "semmatch-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = BundledModels.Materialize(BundledModels.ArcticXs, store);
            var second = BundledModels.Materialize(BundledModels.ArcticXs, store);

            Assert.Equal(first.Path, second.Path);
            Assert.Equal(Pooling.Cls, first.Config.Pooling);
            Assert.StartsWith("Represent this sentence", first.Config.QueryPrefix);
            Assert.Equal(30522, File.ReadLines(first.VocabPath).Count());
            Assert.True(new FileInfo(first.ModelPath).Length > 80_000_000);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public void Fingerprint_DependsOnConfig()
    {
        using var temp = new TempModel(fixture.Model, fixture.Model.Config with { MaxLength = 128 });

        Assert.NotEqual(fixture.Model.Fingerprint, ModelDirectory.Open(temp.Path).Fingerprint);
    }
}
