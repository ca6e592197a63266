using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Index.Tests;

/// <summary>Behaviour every <see cref="IVectorIndex"/> must have; subclassed once per implementation.</summary>
public abstract class VectorIndexConformance : IDisposable
{
    protected const int Dimension = 16;
    private const int Seed = 1234;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "semmatch-index-" + Guid.NewGuid().ToString("N"));

    protected abstract IVectorIndex Create(SimilarityMetric metric);

    protected abstract IVectorIndex Load(string directory);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    [InlineData(SimilarityMetric.Euclidean)]
    public void Search_EqualsBruteForce(SimilarityMetric metric)
    {
        var vectors = RandomVectors(300, Seed);
        using var index = Create(metric);
        AddAll(index, vectors);

        foreach (var query in RandomVectors(10, Seed + 1).Values)
        {
            var expected = BruteForce(vectors, query, metric, 10);
            var actual = index.Search(query, 10);

            Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.ProductId));
            Assert.Equal(expected[0].Score, actual[0].Score, 3);
        }
    }

    [Fact]
    public void Search_AfterRemoveAndReplace_EqualsBruteForceOverWhatIsLeft()
    {
        var vectors = RandomVectors(200, Seed);
        using var index = Create(SimilarityMetric.Cosine);
        AddAll(index, vectors);
        var random = new Random(Seed + 2);
        foreach (var id in vectors.Keys.Where((_, i) => i % 3 == 0).ToList())
        {
            Assert.True(index.Remove(id));
            vectors.Remove(id);
        }

        var replaced = vectors.Keys.First();
        vectors[replaced] = RandomVector(random);
        index.Add(replaced, vectors[replaced]);

        Assert.Equal(vectors.Count, index.Count);
        Assert.False(index.Remove("p0"));
        var query = vectors[replaced];
        Assert.Equal(BruteForce(vectors, query, SimilarityMetric.Cosine, 5).Select(h => h.Id), index.Search(query, 5).Select(h => h.ProductId));
    }

    [Fact]
    public void Search_KLargerThanCount_ReturnsEverything()
    {
        using var index = Create(SimilarityMetric.Cosine);
        AddAll(index, RandomVectors(3, Seed));

        Assert.Equal(3, index.Search(RandomVector(new Random(Seed)), 10).Count);
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsNothing()
    {
        using var index = Create(SimilarityMetric.Cosine);

        Assert.Empty(index.Search(RandomVector(new Random(Seed)), 5));
    }

    [Fact]
    public void SaveAndLoad_GivesTheSameResults()
    {
        var vectors = RandomVectors(150, Seed);
        using var index = Create(SimilarityMetric.Dot);
        AddAll(index, vectors);
        index.Remove(vectors.Keys.Last());
        index.Save(_directory);

        using var loaded = Load(_directory);

        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(SimilarityMetric.Dot, loaded.Metric);
        var query = RandomVector(new Random(Seed + 5));
        Assert.Equal(index.Search(query, 10), loaded.Search(query, 10));
    }

    [Fact]
    public void Add_WrongDimension_SaysWhatIsWrong()
    {
        using var index = Create(SimilarityMetric.Cosine);

        var error = Assert.Throws<VectorIndexException>(() => index.Add("x", new float[Dimension + 1]));

        Assert.Equal($"vector has {Dimension + 1} dimensions but the index holds {Dimension}-dimensional vectors", error.Message);
    }

    [Fact]
    public void Load_MissingDirectory_IsAClearError()
    {
        var error = Assert.Throws<VectorIndexException>(() => Load(_directory));

        Assert.Contains("cannot read index file", error.Message);
    }

    private static void AddAll(IVectorIndex index, Dictionary<string, float[]> vectors)
    {
        foreach (var (id, vector) in vectors)
        {
            index.Add(id, vector);
        }
    }

    private static List<(string Id, float Score)> BruteForce(Dictionary<string, float[]> vectors, float[] query, SimilarityMetric metric, int k) =>
        vectors.Select(kv => (kv.Key, VectorSimilarity.Score(metric, query, kv.Value)))
            .OrderByDescending(x => x.Item2)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(k)
            .ToList();

    private static Dictionary<string, float[]> RandomVectors(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).ToDictionary(i => $"p{i}", _ => RandomVector(random));
    }

    private static float[] RandomVector(Random random) =>
        Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}

public sealed class ExactVectorIndexTests : VectorIndexConformance
{
    protected override IVectorIndex Create(SimilarityMetric metric) => new ExactVectorIndex(Dimension, metric);

    protected override IVectorIndex Load(string directory) => ExactVectorIndex.Load(directory);
}

/// <summary>With ef_search well above the set size, HNSW search is exact on these small sets.</summary>
public sealed class HnswVectorIndexTests : VectorIndexConformance
{
    protected override IVectorIndex Create(SimilarityMetric metric) =>
        new HnswVectorIndex(Dimension, metric, new HnswOptions { M = 16, EfConstruction = 400, EfSearch = 400 });

    protected override IVectorIndex Load(string directory) => HnswVectorIndex.Load(directory);
}
