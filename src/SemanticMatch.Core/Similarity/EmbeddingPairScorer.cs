namespace SemanticMatch.Core.Similarity;

/// <summary>
/// Scores (query, text) pairs with a bi-encoder: the cosine of their embeddings. Lets a bi-encoder answer where a
/// re-ranker is asked for (e.g. the /v1/rerank route given a bi-encoder model); a cross-encoder reads the pair together
/// and usually ranks better.
/// </summary>
/// <remarks>Thread-safe when the encoder is.</remarks>
public sealed class EmbeddingPairScorer(ITextEncoder encoder) : IPairScorer
{
    /// <inheritdoc />
    public string Identity => encoder.Identity;

    /// <inheritdoc />
    public bool ScoresRelevance => false;

    /// <inheritdoc />
    public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var queryVector = encoder.EncodeOne(query, TextRole.Query);
        return encoder.Encode(texts, TextRole.Document, cancellationToken: cancellationToken)
            .Select(v => VectorSimilarity.Score(SimilarityMetric.Cosine, queryVector, v))
            .ToArray();
    }
}
