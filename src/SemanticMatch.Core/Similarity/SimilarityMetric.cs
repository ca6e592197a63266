namespace SemanticMatch.Core.Similarity;

/// <summary>
/// How relevance S(q, d) is computed. Every metric is reported as a score where higher means more similar.
/// </summary>
public enum SimilarityMetric
{
    /// <summary>Cosine of the angle between embeddings, in [-1, 1]; 1 = same direction. The default.</summary>
    Cosine,

    /// <summary>Dot product of embeddings; equals cosine for L2-normalised vectors, unbounded otherwise.</summary>
    Dot,

    /// <summary>Negated Euclidean distance, in (-inf, 0]; 0 = identical vectors.</summary>
    Euclidean,

    /// <summary>Token-set Jaccard overlap of the normalised texts, in [0, 1]; lexical, needs no model.</summary>
    Jaccard,
}
