using SemanticMatch.Core;

namespace SemanticMatch.Index.Vectors;

/// <summary>A vector index cannot be used as asked (wrong dimension, unreadable files); the message says why.</summary>
public sealed class VectorIndexException(string message) : InvalidRequestException(message);
