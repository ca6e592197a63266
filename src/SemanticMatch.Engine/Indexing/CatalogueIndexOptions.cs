using SemanticMatch.Core;
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

    /// <summary>Where the model comes from, recorded in the manifest: a bundled model's key or an absolute directory path.</summary>
    public string ModelSource { get; init; } = "minilm";

    /// <summary>The pooling the model was asked to use instead of its own (mean, cls or max), recorded in the manifest; null = the model's.</summary>
    public string? Pooling { get; init; }
}

/// <summary>Per-query search settings.</summary>
public sealed record SearchOptions
{
    private readonly int _top = 10;
    private readonly int _fusionDepth = 100;
    private readonly int _rerankDepth = 50;

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

    /// <summary>Cross-encoder that re-orders the top <see cref="RerankDepth"/> results (null = no re-ranking).</summary>
    public IPairScorer? Reranker { get; init; }

    /// <summary>How many first-stage results the re-ranker re-scores.</summary>
    public int RerankDepth
    {
        get => _rerankDepth;
        init => _rerankDepth = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(RerankDepth), value, "must be >= 1");
    }

    /// <summary>Share of the first-stage score in the re-ranked order, in [0, 1) (0 = the re-ranker's score alone).</summary>
    public double RerankFirstStageWeight { get; init; }

    /// <summary>Replace query words that no product contains by the closest catalogue word (see Bm25Index.CorrectSpelling).</summary>
    public bool SpellCorrection { get; init; } = true;
}
