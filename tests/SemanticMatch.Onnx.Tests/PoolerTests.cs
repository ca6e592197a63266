using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

public sealed class PoolerTests
{
    // Three tokens of dimension 2; the last is padding with large values that must not leak in.
    private static readonly float[] s_hidden = [1, 2, 3, 6, 100, -100];
    private static readonly long[] s_mask = [1, 1, 0];

    [Theory]
    [InlineData(Pooling.Mean, 2f, 4f)]
    [InlineData(Pooling.Max, 3f, 6f)]
    [InlineData(Pooling.Cls, 1f, 2f)]
    public void Pool_RespectsTheAttentionMask(Pooling pooling, float first, float second)
    {
        var vector = new float[2];

        Pooler.Pool(s_hidden, s_mask, pooling, vector);

        Assert.Equal([first, second], vector);
    }
}
