using System.Numerics.Tensors;

namespace SemanticMatch.Core.Similarity;

/// <summary>Vector similarity scores (higher is more similar), computed with <see cref="TensorPrimitives"/>.</summary>
public static class VectorSimilarity
{
    /// <summary>Score of <paramref name="a"/> against <paramref name="b"/> under a vector metric.</summary>
    /// <exception cref="ArgumentException">The metric is not a vector metric, or the lengths differ.</exception>
    public static float Score(SimilarityMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"vector lengths differ: {a.Length} and {b.Length}", nameof(b));
        }

        return metric switch
        {
            SimilarityMetric.Cosine => Cosine(a, b),
            SimilarityMetric.Dot => TensorPrimitives.Dot(a, b),
            SimilarityMetric.Euclidean => -TensorPrimitives.Distance(a, b),
            _ => throw new ArgumentException($"{metric} is not a vector metric", nameof(metric)),
        };
    }

    /// <summary>Cosine similarity; 0 when either vector is all zeros.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var norms = TensorPrimitives.Norm(a) * TensorPrimitives.Norm(b);
        return norms == 0 ? 0 : TensorPrimitives.Dot(a, b) / norms;
    }

    /// <summary>Scales <paramref name="vector"/> to unit L2 norm in place (an all-zero vector stays zero).</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
