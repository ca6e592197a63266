using SemanticMatch.Core;

namespace SemanticMatch.Index.Keyword;

/// <summary>A keyword index cannot be used as asked (none where one should be); the message says why.</summary>
public sealed class KeywordIndexException(string message) : InvalidRequestException(message);
