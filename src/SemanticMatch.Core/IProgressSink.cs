namespace SemanticMatch.Core;

/// <summary>Receives progress of long steps (a CLI shows bars; tests pass <see cref="NullProgressSink"/>).</summary>
public interface IProgressSink
{
    /// <summary>Starts a step of <paramref name="total"/> units; report the number done so far to the returned sink.</summary>
    IProgress<int> Begin(string description, int total);

    /// <summary>Reports what a step found or did, in a line of its own (by default not shown).</summary>
    void Note(string message)
    {
    }
}

/// <summary>Discards progress.</summary>
public sealed class NullProgressSink : IProgressSink
{
    /// <summary>The shared instance.</summary>
    public static NullProgressSink Instance { get; } = new();

    /// <inheritdoc />
    public IProgress<int> Begin(string description, int total) => new Progress<int>();
}
