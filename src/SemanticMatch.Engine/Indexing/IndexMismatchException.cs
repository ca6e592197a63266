using SemanticMatch.Core;

namespace SemanticMatch.Engine.Indexing;

/// <summary>An index directory is missing, damaged, or was built with a different model; the message says what to do.</summary>
public sealed class IndexMismatchException(string message) : InvalidRequestException(message);
