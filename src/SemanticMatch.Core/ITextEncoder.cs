namespace SemanticMatch.Core;

/// <summary>Whether a text is a shopper's query or a product text; models may treat them differently (prefixes).</summary>
public enum TextRole
{
    /// <summary>A search query.</summary>
    Query,

    /// <summary>A product (document) text.</summary>
    Document,
}

/// <summary>Turns texts into fixed-size vectors (a bi-encoder).</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ITextEncoder
{
    /// <summary>Length of every vector.</summary>
    int Dimension { get; }

    /// <summary>
    /// Identifies the model and every setting that changes its vectors (weights, pooling, length limit); an index built
    /// with one identity refuses queries encoded under another.
    /// </summary>
    string Identity { get; }

    /// <summary>Encodes texts; result[i] is the vector of texts[i].</summary>
    /// <param name="texts">Texts, already normalised.</param>
    /// <param name="role">Query or document.</param>
    /// <param name="progress">Receives the count of texts finished so far.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many tokens the model reads for this text (its prefix and special tokens included, cut at its length limit):
    /// what an embeddings API bills as usage. Encoders without a tokenizer count whitespace-separated words.
    /// </summary>
    int CountTokens(string text, TextRole role) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Encodes one text (the query path); implementations may override it with a faster route.</summary>
    float[] EncodeOne(string text, TextRole role) => Encode([text], role)[0];

    /// <summary>
    /// Encodes one text for a caller that can wait without holding a thread (the query path of a search); by default
    /// <see cref="EncodeOne"/> on the caller's thread. An encoder that batches concurrent callers overrides it.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before the text was encoded.</exception>
    ValueTask<float[]> EncodeOneAsync(string text, TextRole role, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(EncodeOne(text, role));
    }
}
