using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Indexing;

/// <summary>How a catalogue index is built.</summary>
public sealed record CatalogueIndexOptions
{
    /// <summary>Fields and normalisation of product and query text.</summary>
    public ProductText Text { get; init; } = ProductText.Default;

    /// <summary>Vector similarity; Jaccard is not allowed here (it is lexical).</summary>
    public SimilarityMetric Metric { get; init; } = SimilarityMetric.Cosine;

    /// <summary>Exact or HNSW vector search.</summary>
    public VectorIndexKind VectorIndex { get; init; } = VectorIndexKind.Exact;

    /// <summary>HNSW parameters.</summary>
    public HnswOptions Hnsw { get; init; } = new();

    /// <summary>The model argument recorded in the manifest.</summary>
    public string ModelSource { get; init; } = "minilm";
}

/// <summary>Per-query search settings.</summary>
public sealed record SearchOptions
{
    private readonly int _top = 10;
    private readonly int _fusionDepth = 100;

    /// <summary>The method.</summary>
    public SearchMethod Method { get; init; } = SearchMethod.Hybrid;

    /// <summary>Number of results.</summary>
    public int Top
    {
        get => _top;
        init => _top = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Top), value, "must be >= 1");
    }

    /// <summary>How many results each retriever contributes to hybrid fusion (at least <see cref="Top"/>).</summary>
    public int FusionDepth
    {
        get => _fusionDepth;
        init => _fusionDepth = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(FusionDepth), value, "must be >= 1");
    }

    /// <summary>Fusion rule and weights.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>Replace query words that no product contains by the closest catalogue word (see Bm25Index.CorrectSpelling).</summary>
    public bool SpellCorrection { get; init; } = true;
}
