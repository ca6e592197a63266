using System.Collections.Concurrent;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// Tokenizers for concurrent callers: a tokenizer is not thread-safe, so each caller rents one and returns it, and a
/// new one is built (from the vocabulary held in memory) only when all are in use. Concurrent requests never queue on
/// one lock.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class TokenizerPool(WordPieceTokenizer first, bool lowerCase)
{
    private readonly ConcurrentBag<WordPieceTokenizer> _idle = [first];

    /// <summary>Rents a tokenizer until the lease is disposed.</summary>
    public Lease Rent() => new(this, _idle.TryTake(out var tokenizer) ? tokenizer : WordPieceTokenizer.FromVocabulary(first.Vocabulary, lowerCase));

    /// <summary>A rented tokenizer.</summary>
    internal readonly struct Lease(TokenizerPool pool, WordPieceTokenizer tokenizer) : IDisposable
    {
        public WordPieceTokenizer Tokenizer => tokenizer;

        public void Dispose() => pool._idle.Add(tokenizer);
    }
}
