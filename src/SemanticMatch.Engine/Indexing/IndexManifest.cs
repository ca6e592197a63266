using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Indexing;

/// <summary>
/// manifest.json of a catalogue index: what it was built from and with which model and settings, so that search
/// applies the same text processing and refuses a different model.
/// </summary>
public sealed record IndexManifest
{
    /// <summary>The format tag every manifest carries.</summary>
    public const string CurrentFormat = "semanticmatch-index/1";

    /// <summary>Format tag.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>When the index was built (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The model used to build it (a bundled key such as "minilm", or an absolute directory path), reused by default at search time.</summary>
    public required string ModelSource { get; init; }

    /// <summary>The pooling given at build time instead of the model's own (mean, cls or max); null = the model's. Search uses it too.</summary>
    public string? Pooling { get; init; }

    /// <summary>Identity of the encoder (<see cref="Core.ITextEncoder.Identity"/>).</summary>
    public required string ModelIdentity { get; init; }

    /// <summary>Vector length.</summary>
    public int Dimension { get; init; }

    /// <summary>Vector similarity.</summary>
    public SimilarityMetric Metric { get; init; } = SimilarityMetric.Cosine;

    /// <summary>Vector index implementation.</summary>
    public VectorIndexKind VectorIndex { get; init; } = VectorIndexKind.Exact;

    /// <summary>HNSW parameters when <see cref="VectorIndex"/> is HNSW.</summary>
    public HnswOptions? Hnsw { get; init; }

    /// <summary>Product fields that were embedded and keyword-indexed.</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>How keyword search analyses text (an index written before languages existed is English).</summary>
    public TextLanguage Language { get; init; } = TextLanguage.En;

    /// <summary>Text clean-up applied to products and queries.</summary>
    public required TextNormalizationOptions Normalization { get; init; }

    /// <summary>Number of products.</summary>
    public int ProductCount { get; init; }

    /// <summary>The products file it was built from.</summary>
    public string? Source { get; init; }
}
