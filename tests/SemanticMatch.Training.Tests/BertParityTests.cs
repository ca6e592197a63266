using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>The TorchSharp encoder must compute what ONNX Runtime computes from the same weights.</summary>
[Collection(TorchCollection.Name)]
public sealed class BertParityTests
{
    private const float Tolerance = 1e-4f;
    private static readonly string[] s_texts = ["cordless drill", "DEWALT 20-Volt Max Lithium-Ion Cordless Compact Drill/Driver Kit (Tool-Only)", "1/2 in. pipe"];

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic")]
    public void TorchSharpEncoder_MatchesOnnxRuntime_OnAPaddedBatch(string key)
    {
        var model = BundledModels.Resolve(key);
        using var biEncoder = BiEncoderModel.Load(model, new TrainingOptions { Dropout = 0.1 });
        biEncoder.eval();
        var tokens = Tokens(model, s_texts);

        var pooled = Rows(biEncoder.Embed(tokens));
        using var onnx = OnnxEncoder.Create(model);
        var reference = onnx.Encode(s_texts, TextRole.Document);

        for (var i = 0; i < s_texts.Length; i++)
        {
            var maxDifference = reference[i].Zip(pooled[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(maxDifference < Tolerance, $"{key} text {i} ({tokens[i].Length} tokens, padded to {tokens.Max(t => t.Length)}): max |difference| {maxDifference:E2}");
        }
    }

    [Fact]
    public void Export_WritesTrainedWeightsThatOnnxRuntimeReproduces()
    {
        var model = BundledModels.Resolve("minilm");
        using var biEncoder = BiEncoderModel.Load(model, new TrainingOptions { Dropout = 0 });
        biEncoder.eval();
        var encoder = biEncoder.Encoder;
        using (no_grad())
        {
            var generator = new Generator(42);
            foreach (var (_, parameter, _) in encoder.NamedWeights())
            {
                parameter.add_(randn(parameter.shape, generator: generator) * 0.01f);
            }
        }

        var target = Path.Combine(Path.GetTempPath(), "semmatch-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        try
        {
            OnnxBertWeights.Export(encoder, model, Path.Combine(target, ModelDirectory.ModelFile));
            File.Copy(model.VocabPath, Path.Combine(target, ModelDirectory.VocabFile));
            ModelDirectory.WriteConfig(target, model.Config with { Name = "exported" });
            using var exported = OnnxEncoder.Create(ModelDirectory.Open(target));
            using var original = OnnxEncoder.Create(model);
            var pooled = Rows(biEncoder.Embed(Tokens(model, s_texts)));

            var fromOnnx = exported.Encode(s_texts, TextRole.Document);
            var before = original.Encode(s_texts, TextRole.Document);

            for (var i = 0; i < s_texts.Length; i++)
            {
                Assert.True(fromOnnx[i].Zip(pooled[i]).Max(p => Math.Abs(p.First - p.Second)) < Tolerance);
                Assert.True(fromOnnx[i].Zip(before[i]).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the exported weights must differ");
            }
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static List<long[]> Tokens(ModelDirectory model, string[] texts)
    {
        var tokenizer = WordPieceTokenizer.Load(model.VocabPath, lowerCase: true);
        return texts.Select(t => tokenizer.Encode(t, model.Config.MaxLength)).ToList();
    }

    private static float[][] Rows(Tensor vectors)
    {
        using (vectors)
        {
            var data = vectors.data<float>().ToArray();
            var dimension = (int)vectors.shape[1];
            return Enumerable.Range(0, (int)vectors.shape[0]).Select(i => data.AsSpan(i * dimension, dimension).ToArray()).ToArray();
        }
    }
}
