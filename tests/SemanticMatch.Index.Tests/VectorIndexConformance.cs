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

    [Theory]
    [InlineData(2)]
    [InlineData(50)]
    [InlineData(1000)]
    public void Search_WithFilter_EqualsBruteForceOverTheAcceptedEntries(int oneIn)
    {
        var vectors = RandomVectors(300, Seed);
        using var index = Create(SimilarityMetric.Cosine);
        AddAll(index, vectors);
        var accepted = vectors.Keys.Where((_, i) => i % oneIn == 0).ToHashSet();
        var kept = vectors.Where(kv => accepted.Contains(kv.Key)).ToDictionary();

        foreach (var query in RandomVectors(5, Seed + 3).Values)
        {
            var actual = index.Search(query, 10, accepted.Contains);

            Assert.Equal(BruteForce(kept, query, SimilarityMetric.Cosine, 10).Select(h => h.Id), actual.Select(h => h.ProductId));
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
    public void Search_ManyConcurrentCallers_AllGetTheSequentialAnswer()
    {
        var vectors = RandomVectors(300, Seed);
        using var index = Create(SimilarityMetric.Cosine);
        AddAll(index, vectors);
        var queries = RandomVectors(64, Seed + 2).Values.ToList();
        var expected = queries.Select(q => index.Search(q, 5).Select(h => h.ProductId).ToList()).ToList();

        var actual = new List<string>[queries.Count];
        Parallel.For(0, queries.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            i => actual[i % queries.Count] = index.Search(queries[i % queries.Count], 5).Select(h => h.ProductId).ToList());

        Assert.Equal(expected, actual);
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

/// <summary>HNSW specifics beyond the shared contract.</summary>
public sealed class HnswSpecificTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "semmatch-hnsw-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Search_WithASelectiveFilterAndSmallEf_StillReturnsTheBestAcceptedEntries()
    {
        var random = new Random(7);
        var ids = Enumerable.Range(0, 3000).Select(i => $"p{i}").ToList();
        var vectors = ids.Select(_ => Unit(Enumerable.Range(0, 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())).ToList();
        using var hnsw = new HnswVectorIndex(32, SimilarityMetric.Cosine, new HnswOptions { M = 8, EfConstruction = 64, EfSearch = 10 });
        using var exact = new ExactVectorIndex(32, SimilarityMetric.Cosine);
        hnsw.AddRange(ids, vectors);
        for (var i = 0; i < ids.Count; i++)
        {
            exact.Add(ids[i], vectors[i]);
        }

        // 10 accepted entries of 3,000, scattered: a walk with ef 10 meets few of them.
        var accepted = ids.Where((_, i) => i % 300 == 7).ToHashSet();
        var query = Unit(Enumerable.Range(0, 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
        var expected = exact.Search(query, 10, accepted.Contains);
        var actual = hnsw.Search(query, 10, accepted.Contains);

        Assert.Equal(10, actual.Count);
        Assert.All(actual, h => Assert.Contains(h.ProductId, accepted));
        var recall = actual.Select(h => h.ProductId).Intersect(expected.Select(h => h.ProductId)).Count() / 10.0;
        Assert.True(recall >= 0.9, $"recall@10 among the accepted entries {recall}");
    }

    [Theory]
    [InlineData(VectorStorage.F32)]
    [InlineData(VectorStorage.F16)]
    [InlineData(VectorStorage.I8)]
    public void AddRange_InParallel_FindsTheSameNeighboursAsExact(VectorStorage storage)
    {
        var random = new Random(99);
        var ids = Enumerable.Range(0, 3000).Select(i => $"p{i}").ToList();
        var vectors = ids.Select(_ => Unit(Enumerable.Range(0, 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())).ToList();
        using var hnsw = new HnswVectorIndex(32, SimilarityMetric.Cosine, new HnswOptions { EfConstruction = 200, EfSearch = 200, Storage = storage });
        using var exact = new ExactVectorIndex(32, SimilarityMetric.Cosine);
        hnsw.AddRange(ids, vectors);
        for (var i = 0; i < ids.Count; i++)
        {
            exact.Add(ids[i], vectors[i]);
        }

        var overlap = vectors.Take(50).Average(q =>
            hnsw.Search(q, 10).Select(h => h.ProductId).Intersect(exact.Search(q, 10).Select(h => h.ProductId)).Count() / 10.0);

        Assert.Equal(3000, hnsw.Count);
        // Parallel insertion order differs run to run, and so does the graph: recall@10 on these 32-dimension random
        // vectors was 0.974-1.0 across CI runs (a broken parallel add falls far below; chance is 0.003).
        Assert.True(overlap >= (storage == VectorStorage.F32 ? 0.95 : 0.9), $"recall@10 {overlap:F3} with {storage}");
    }

    [Fact]
    public void SaveAndLoad_KeepsStorageAndEfSearch()
    {
        using (var index = new HnswVectorIndex(4, SimilarityMetric.Cosine, new HnswOptions { EfSearch = 77, Storage = VectorStorage.F16 }))
        {
            index.Add("a", [1, 0, 0, 0]);
            index.Save(_directory);
        }

        using var loaded = HnswVectorIndex.Load(_directory);

        Assert.Equal(VectorStorage.F16, loaded.Options.Storage);
        Assert.Equal(77, loaded.Options.EfSearch);
        Assert.Equal("a", loaded.Search([1, 0, 0, 0], 1)[0].ProductId);
    }

    [Fact]
    public void AddRange_ExistingId_IsRefused()
    {
        using var index = new HnswVectorIndex(2, SimilarityMetric.Cosine);
        index.Add("a", [1, 0]);

        Assert.Throws<ArgumentException>(() => index.AddRange(["a"], [[0f, 1f]]));
    }

    private static float[] Unit(float[] v)
    {
        VectorSimilarity.Normalize(v);
        return v;
    }
}
