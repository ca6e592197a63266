using SemanticMatch.Core;

namespace SemanticMatch.Engine.Indexing;

/// <summary>An index directory is missing, damaged, or was built with a different model; the message says what to do.</summary>
public class IndexMismatchException(string message) : InvalidRequestException(message);

/// <summary>An index directory was built with another model than the one given; a host words how to open it (its own option names).</summary>
/// <param name="message">What was built with what, and what was given.</param>
/// <param name="modelSource">The model the index was built with, as its manifest names it.</param>
/// <param name="pooling">The pooling it was built with, or null for the model's own.</param>
public sealed class IndexModelMismatchException(string message, string modelSource, string? pooling) : IndexMismatchException(message)
{
    /// <summary>The model the index was built with, as its manifest names it.</summary>
    public string ModelSource { get; } = modelSource;

    /// <summary>The pooling it was built with, or null for the model's own.</summary>
    public string? Pooling { get; } = pooling;
}
