namespace SemanticMatch.Search;

/// <summary>How a catalogue is searched.</summary>
public enum SearchMethod
{
    /// <summary>Keyword matching with BM25.</summary>
    Bm25,

    /// <summary>Embedding similarity S(q, d) from the bi-encoder.</summary>
    Dense,

    /// <summary>BM25 and dense lists fused (weighted min-max by default, or reciprocal-rank fusion).</summary>
    Hybrid,
}
