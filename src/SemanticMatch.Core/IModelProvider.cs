namespace SemanticMatch.Core;

/// <summary>
/// Resolves model names ("minilm", "minilm-int8", a model directory) to loaded encoders and re-rankers, each loaded
/// once and shared by every caller until the provider is disposed.
/// </summary>
/// <remarks>Thread-safe. The provider owns what it returns: callers never dispose it.</remarks>
public interface IModelProvider : IDisposable
{
    /// <summary>The bi-encoder named <paramref name="model"/>.</summary>
    /// <exception cref="InvalidRequestException">No such model, or it is not a bi-encoder.</exception>
    ITextEncoder Encoder(string model);

    /// <summary>The cross-encoder named <paramref name="model"/>.</summary>
    /// <exception cref="InvalidRequestException">No such model, or it is not a cross-encoder.</exception>
    IPairScorer Reranker(string model);

    /// <summary>
    /// The one pair scorer behind every "score these (query, text) pairs" path: a cross-encoder as it is, a bi-encoder
    /// as the <paramref name="similarity"/> of embeddings (<see cref="Similarity.EmbeddingPairScorer"/>).
    /// </summary>
    /// <exception cref="InvalidRequestException">No such model.</exception>
    IPairScorer Scorer(string model, Similarity.SimilarityMetric similarity = Similarity.SimilarityMetric.Cosine);
}
