namespace SemanticMatch.Core.Similarity;

/// <summary>
/// Scores (query, text) pairs with a bi-encoder: the similarity of their embeddings (cosine unless told otherwise). Lets
/// a bi-encoder answer wherever pairs are scored (match, /v1/match, /v1/rerank); a cross-encoder reads the pair
/// together and usually ranks better.
/// </summary>
/// <remarks>Thread-safe when the encoder is.</remarks>
/// <param name="encoder">The bi-encoder.</param>
/// <param name="similarity">How embeddings are compared; not Jaccard (lexical, no embeddings).</param>
public sealed class EmbeddingPairScorer(ITextEncoder encoder, SimilarityMetric similarity = SimilarityMetric.Cosine) : IPairScorer
{
    private readonly SimilarityMetric _similarity = similarity != SimilarityMetric.Jaccard
        ? similarity
        : throw new ArgumentException("jaccard compares words, not embeddings", nameof(similarity));

    /// <inheritdoc />
    public string Identity => encoder.Identity;

    /// <inheritdoc />
    public bool ScoresRelevance => false;

    /// <summary>How embeddings are compared.</summary>
    public SimilarityMetric Similarity => _similarity;

    /// <inheritdoc />
    public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var queryVector = encoder.EncodeOne(query, TextRole.Query);
        return encoder.Encode(texts, TextRole.Document, cancellationToken: cancellationToken)
            .Select(v => VectorSimilarity.Score(_similarity, queryVector, v))
            .ToArray();
    }

    /// <summary>The query once in its query role, and each text as a document.</summary>
    public int CountTokens(string query, IReadOnlyList<string> texts) =>
        encoder.CountTokens(query, TextRole.Query) + texts.Sum(t => encoder.CountTokens(t, TextRole.Document));
}
