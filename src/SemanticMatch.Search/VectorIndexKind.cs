namespace SemanticMatch.Search;

/// <summary>Which vector index implementation a catalogue index uses.</summary>
public enum VectorIndexKind
{
    /// <summary>Exact brute-force search.</summary>
    Exact,

    /// <summary>Approximate HNSW graph search.</summary>
    Hnsw,
}
