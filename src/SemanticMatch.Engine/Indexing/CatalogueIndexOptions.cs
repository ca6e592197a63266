using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Search;
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
    public string ModelSource { get; init; } = ModelNames.Default;

    /// <summary>The pooling the model was asked to use instead of its own (mean, cls or max), recorded in the manifest; null = the model's.</summary>
    public string? Pooling { get; init; }

    /// <summary>How keyword search analyses text: each text by its script (auto), English or Chinese.</summary>
    public TextLanguage Language { get; init; } = TextLanguage.Auto;

    /// <summary>Checks every value (the HNSW options' too); returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        { Metric: SimilarityMetric.Jaccard } => new(nameof(Metric), "jaccard is lexical and cannot index vectors; use cosine, dot or euclidean (or jaccard with 'match')"),
        _ => Hnsw?.Problem() ?? (Hnsw is null ? new(nameof(Hnsw), "must be given") : null),
    };
}
