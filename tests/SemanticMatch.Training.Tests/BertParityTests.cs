using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>The TorchSharp encoder must compute what ONNX Runtime computes from the same weights.</summary>
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
        using var encoder = OnnxBertWeights.Load(model, dropout: 0.1);
        encoder.eval();
        var (ids, mask, lengths) = Batch(model, s_texts);

        using var hidden = encoder.forward(ids, mask);
        using var onnx = OnnxEncoder.Create(model, new EncoderOptions { Pooling = model.Config.Pooling });
        var reference = onnx.Encode(s_texts, TextRole.Document);
        var pooled = Pool(hidden, mask, model.Config.Pooling);

        for (var i = 0; i < s_texts.Length; i++)
        {
            var maxDifference = reference[i].Zip(pooled[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(maxDifference < Tolerance, $"{key} text {i} ({lengths[i]} tokens): max |difference| {maxDifference:E2}");
        }
    }

    [Fact]
    public void Export_WritesTrainedWeightsThatOnnxRuntimeReproduces()
    {
        var model = BundledModels.Resolve("minilm");
        using var encoder = OnnxBertWeights.Load(model, dropout: 0);
        encoder.eval();
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
            var (ids, mask, _) = Batch(model, s_texts);
            using var hidden = encoder.forward(ids, mask);
            var pooled = Pool(hidden, mask, Pooling.Mean);

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

    private static (Tensor Ids, Tensor Mask, int[] Lengths) Batch(ModelDirectory model, string[] texts)
    {
        var tokenizer = WordPieceTokenizer.Load(model.VocabPath, lowerCase: true);
        var encoded = texts.Select(t => tokenizer.Encode(t, model.Config.MaxLength)).ToArray();
        var sequence = encoded.Max(e => e.Length);
        var ids = new long[texts.Length * sequence];
        var mask = new long[texts.Length * sequence];
        for (var i = 0; i < texts.Length; i++)
        {
            encoded[i].CopyTo(ids, i * sequence);
            mask.AsSpan(i * sequence, encoded[i].Length).Fill(1);
        }

        return (tensor(ids, [texts.Length, sequence]), tensor(mask, [texts.Length, sequence]), encoded.Select(e => e.Length).ToArray());
    }

    // Sentence vectors from token vectors, the same way the ONNX encoder pools (masked), L2-normalised.
    private static float[][] Pool(Tensor hidden, Tensor mask, Pooling pooling)
    {
        using var scope = NewDisposeScope();
        var m = mask.unsqueeze(-1).to_type(ScalarType.Float32);
        var pooled = pooling switch
        {
            Pooling.Cls => hidden[TensorIndex.Colon, 0],
            Pooling.Max => (hidden + (1 - m) * -1e9f).amax([1]),
            _ => (hidden * m).sum(1) / m.sum(1),
        };
        var normalized = nn.functional.normalize(pooled, p: 2, dim: 1);
        var data = normalized.data<float>().ToArray();
        var dimension = (int)normalized.shape[1];
        return Enumerable.Range(0, (int)normalized.shape[0]).Select(i => data.AsSpan(i * dimension, dimension).ToArray()).ToArray();
    }
}
