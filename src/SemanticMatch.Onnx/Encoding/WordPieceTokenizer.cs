using FastBertTokenizer;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// BERT WordPiece tokenizer that reproduces Hugging Face's BertTokenizer (uncased: lower-case, accents stripped,
/// punctuation and CJK characters split). Backed by FastBertTokenizer, which was checked against a faithful
/// re-implementation (see shared notes); always used through its span overload with our own buffers.
/// </summary>
/// <remarks>Not thread-safe: FastBertTokenizer keeps internal buffers. Concurrent callers each rent one from a <see cref="TokenizerPool"/>.</remarks>
public sealed class WordPieceTokenizer
{
    private readonly BertTokenizer _inner;

    private WordPieceTokenizer(BertTokenizer inner, IReadOnlyList<string> vocabulary)
    {
        _inner = inner;
        Vocabulary = vocabulary;
        UnknownId = vocabulary.ToList().IndexOf("[UNK]");
    }

    /// <summary>Token strings by id.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Id of <c>[UNK]</c> (-1 when the vocabulary has none).</summary>
    public long UnknownId { get; }

    /// <summary>Loads a vocab.txt (one token a line; the line number is the id).</summary>
    public static WordPieceTokenizer Load(string vocabPath, bool lowerCase) => FromVocabulary(File.ReadAllLines(vocabPath), lowerCase);

    /// <summary>A tokenizer over a vocabulary already read (token strings by id).</summary>
    public static WordPieceTokenizer FromVocabulary(IReadOnlyList<string> lines, bool lowerCase)
    {
        var tokenizer = new BertTokenizer();
        using (var reader = new StringReader(string.Join('\n', lines)))
        {
            tokenizer.LoadVocabulary(reader, convertInputToLowercase: lowerCase);
        }

        return new WordPieceTokenizer(tokenizer, lines);
    }

    /// <summary>
    /// Writes [CLS] tokens [SEP] into <paramref name="inputIds"/> (truncated to its length, still ending in [SEP]) and
    /// ones into <paramref name="attentionMask"/> for each token written.
    /// </summary>
    /// <returns>The number of tokens written.</returns>
    public int Encode(string text, Span<long> inputIds, Span<long> attentionMask)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputIds.Length, 3, nameof(inputIds));
        return _inner.Encode(text, inputIds, attentionMask[..inputIds.Length]);
    }

    /// <summary>Token ids of <paramref name="text"/>, [CLS] and [SEP] included, at most <paramref name="maxLength"/>.</summary>
    public long[] Encode(string text, int maxLength)
    {
        var ids = new long[maxLength];
        var mask = new long[maxLength];
        var count = Encode(text, ids, mask);
        return ids[..count];
    }

    /// <summary>Token strings of <paramref name="text"/> (for tests and debugging).</summary>
    public IReadOnlyList<string> Tokenize(string text, int maxLength = 512) =>
        Encode(text, maxLength).Select(id => Vocabulary[(int)id]).ToList();
}
