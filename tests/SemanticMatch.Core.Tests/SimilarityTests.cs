using FsCheck;
using FsCheck.Fluent;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Core.Tests;

public sealed class SimilarityTests
{
    private static readonly Arbitrary<float[]> s_vectors = ArbMap.Default.GeneratorFor<NormalFloat[]>()
        .Where(v => v.Length == 8)
        .Select(v => v.Select(x => (float)Math.Clamp(x.Get, -100, 100)).ToArray())
        .Where(v => v.Any(x => Math.Abs(x) > 1e-3))
        .ToArbitrary();

    [Fact]
    public void Cosine_IsSymmetric() =>
        Seeded.Check(Prop.ForAll(s_vectors, s_vectors, (a, b) =>
            Math.Abs(VectorSimilarity.Cosine(a, b) - VectorSimilarity.Cosine(b, a)) < 1e-5));

    [Fact]
    public void Cosine_SelfSimilarityIsOne() =>
        Seeded.Check(Prop.ForAll(s_vectors, a => Math.Abs(VectorSimilarity.Cosine(a, a) - 1) < 1e-4));

    [Fact]
    public void Cosine_IsBoundedByOne() =>
        Seeded.Check(Prop.ForAll(s_vectors, s_vectors, (a, b) => Math.Abs(VectorSimilarity.Cosine(a, b)) <= 1 + 1e-5));

    [Fact]
    public void Score_HandComputedValues()
    {
        float[] a = [1, 0, 0];
        float[] b = [3, 4, 0];

        Assert.Equal(0.6f, VectorSimilarity.Score(SimilarityMetric.Cosine, a, b), 5);
        Assert.Equal(3f, VectorSimilarity.Score(SimilarityMetric.Dot, a, b), 5);
        Assert.Equal(-MathF.Sqrt(4 + 16), VectorSimilarity.Score(SimilarityMetric.Euclidean, a, b), 5);
    }

    [Fact]
    public void Score_DifferentLengths_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => VectorSimilarity.Score(SimilarityMetric.Dot, new float[3], new float[4]));
        Assert.Contains("3 and 4", error.Message);
    }

    [Fact]
    public void Score_Jaccard_IsNotAVectorMetric() =>
        Assert.Throws<ArgumentException>(() => VectorSimilarity.Score(SimilarityMetric.Jaccard, new float[2], new float[2]));

    [Fact]
    public void Normalize_GivesUnitLength()
    {
        float[] v = [3, 4];
        VectorSimilarity.Normalize(v);
        Assert.Equal([0.6f, 0.8f], v);
    }

    [Fact]
    public void TokenJaccard_HandComputed()
    {
        // {cordless, drill, kit} vs {drill, bit, set}: 1 shared of 5.
        Assert.Equal(0.2f, TokenJaccard.Score("Cordless drill kit", "drill bit set"), 5);
        Assert.Equal(1f, TokenJaccard.Score("0.5 inch pipe", "pipe, 0.5 INCH"), 5);
        Assert.Equal(0f, TokenJaccard.Score("", ""), 5);
    }
}
