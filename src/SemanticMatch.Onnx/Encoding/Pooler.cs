using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>Sentence pooling of token vectors that respects the attention mask (padding never leaks in).</summary>
public static class Pooler
{
    /// <summary>Pools one sequence.</summary>
    /// <param name="hidden">Token vectors of one sequence, [sequence, dimension] row-major.</param>
    /// <param name="mask">Attention mask of that sequence (1 = real token).</param>
    /// <param name="pooling">The rule.</param>
    /// <param name="destination">Receives the sentence vector (length = dimension).</param>
    public static void Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<long> mask, Pooling pooling, Span<float> destination)
    {
        var dim = destination.Length;
        switch (pooling)
        {
            case Pooling.Cls:
                hidden[..dim].CopyTo(destination);
                break;
            case Pooling.Mean:
                destination.Clear();
                var count = 0;
                for (var t = 0; t < mask.Length; t++)
                {
                    if (mask[t] != 0)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(destination, hidden.Slice(t * dim, dim), destination);
                        count++;
                    }
                }

                if (count > 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.Divide(destination, count, destination);
                }

                break;
            case Pooling.Max:
                destination.Fill(float.NegativeInfinity);
                for (var t = 0; t < mask.Length; t++)
                {
                    if (mask[t] != 0)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Max(destination, hidden.Slice(t * dim, dim), destination);
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "unknown pooling");
        }
    }
}
