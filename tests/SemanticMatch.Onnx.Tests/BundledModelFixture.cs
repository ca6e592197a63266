using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

/// <summary>The real bundled MiniLM, materialised once into the default model store and shared by the tests.</summary>
public sealed class BundledModelFixture : IDisposable
{
    public BundledModelFixture()
    {
        Model = BundledModels.Resolve("minilm");
        Encoder = OnnxEncoder.Create(Model, new EncoderOptions { BatchSize = 8 });
        Tokenizer = WordPieceTokenizer.Load(Model.VocabPath, lowerCase: true);
    }

    public ModelDirectory Model { get; }

    public OnnxEncoder Encoder { get; }

    public WordPieceTokenizer Tokenizer { get; }

    public void Dispose() => Encoder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class BundledModelCollection : ICollectionFixture<BundledModelFixture>
{
    public const string Name = "bundled model";
}
