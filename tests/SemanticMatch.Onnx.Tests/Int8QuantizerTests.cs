using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Onnx.Quantization;

namespace SemanticMatch.Onnx.Tests;

[Collection(BundledModelCollection.Name)]
public sealed class Int8QuantizerTests(BundledModelFixture fixture)
{
    private static readonly string[] s_texts =
    [
        "cordless drill", "DEWALT 20-Volt Max Lithium-Ion Cordless Compact Drill/Driver Kit",
        "white kitchen faucet", "Delta Vero 1-Handle Shower Only Faucet Trim Kit in Chrome", "0.5 inch copper pipe",
    ];

    [Fact]
    public void QuantizeColumns_HandComputed()
    {
        // 2 x 2 weights, row-major: column 0 = (1.27, -0.635), column 1 = (0.5, 0). Scales: 0.01 and 0.5 / 127.
        float[] weights = [1.27f, 0.5f, -0.635f, 0f];

        var (values, scales) = Int8Quantizer.QuantizeColumns(weights, rows: 2, columns: 2);

        Assert.Equal(0.01f, scales[0], 6);
        Assert.Equal(0.5f / 127, scales[1], 6);
        Assert.Equal([(sbyte)127, (sbyte)127, (sbyte)-64, (sbyte)0], values);
    }

    [Fact]
    public void QuantizeColumns_AllZeroColumn_GetsAUsableScale()
    {
        var (values, scales) = Int8Quantizer.QuantizeColumns([0f, 0f], rows: 2, columns: 1);

        Assert.Equal(1f, scales[0]);
        Assert.Equal([(sbyte)0, (sbyte)0], values);
    }

    [Fact]
    public void Int8Model_IsSmaller_AndItsEmbeddingsStayCloseToFp32()
    {
        var int8Model = BundledModels.Resolve("minilm-int8");
        using var int8 = OnnxEncoder.Create(int8Model);

        var quantized = int8.Encode(s_texts, TextRole.Document);
        var reference = fixture.Encoder.Encode(s_texts, TextRole.Document);

        Assert.Equal(WeightPrecision.Int8Weights, int8Model.Config.Precision);
        Assert.True(new FileInfo(int8Model.ModelPath).Length < 0.7 * new FileInfo(fixture.Model.ModelPath).Length);
        Assert.All(quantized.Zip(reference), pair => Assert.True(VectorSimilarity.Cosine(pair.First, pair.Second) > 0.97f));
        Assert.NotEqual(fixture.Encoder.Identity, int8.Identity);
    }

    [Fact]
    public void Quantize_RewritesEveryWeightMatMul_AndRefusesToQuantizeTwice()
    {
        var output = Path.Combine(Path.GetTempPath(), "semmatch-int8-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = Int8Quantizer.Quantize(fixture.Model, output);

            Assert.Equal(36, result.RewrittenMatMuls);
            var error = Assert.Throws<ModelFormatException>(() => Int8Quantizer.Quantize(ModelDirectory.Open(output), output + "-again"));
            Assert.EndsWith("is already int8", error.Message);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void EncodeOne_QueryPath_EqualsTheBatchPath()
    {
        foreach (var text in s_texts)
        {
            var fast = fixture.Encoder.EncodeOne(text, TextRole.Query);
            var batched = fixture.Encoder.Encode([text], TextRole.Query)[0];

            Assert.Equal(1, VectorSimilarity.Cosine(fast, batched), 5);
        }
    }
}
