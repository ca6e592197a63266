using BenchmarkDotNet.Attributes;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Benchmarks;

/// <summary>Exact top-10 search over random unit vectors the size of the Home Depot catalogue.</summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // disposed in [GlobalCleanup], which BenchmarkDotNet calls
public class ExactSearchBenchmark
{
    private ExactVectorIndex _index = null!;
    private float[] _query = null!;

    [Params(54_667)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _index = new ExactVectorIndex(384, SimilarityMetric.Cosine);
        for (var i = 0; i < Count; i++)
        {
            _index.Add($"p{i}", Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
        }

        _query = Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
    }

    [Benchmark]
    public int Top10() => _index.Search(_query, 10).Count;

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();
}

#pragma warning restore CA1001

/// <summary>Text normalisation of a typical title, all steps versus whitespace only.</summary>
[MemoryDiagnoser]
public class NormalizerBenchmark
{
    private const string Title = "BEHR Premium 1-gal. #SC-141 Tugboat 1/2 in. x 36 in. Wood & Concrete <b>Coating</b> 25 cu. ft.";
    private readonly TextNormalizer _all = TextNormalizer.Default;
    private readonly TextNormalizer _none = new(TextNormalizationOptions.None);

    [Benchmark(Baseline = true)]
    public string WhitespaceOnly() => _none.Normalize(Title);

    [Benchmark]
    public string AllSteps() => _all.Normalize(Title);
}
