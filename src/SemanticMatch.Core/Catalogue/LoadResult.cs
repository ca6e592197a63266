namespace SemanticMatch.Core.Catalogue;

/// <summary>Rows read from a file, and the bad rows that were skipped because the caller asked for it.</summary>
/// <typeparam name="T">Row type.</typeparam>
/// <param name="Items">Valid rows in file order.</param>
/// <param name="Skipped">One entry per skipped row, each naming file, line and problem.</param>
public sealed record LoadResult<T>(IReadOnlyList<T> Items, IReadOnlyList<InputFormatException> Skipped)
{
    /// <summary>What the reader noticed without rejecting a row (bytes that are not UTF-8), each naming the file and lines.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>How readers treat bad rows.</summary>
public sealed record ReadOptions
{
    /// <summary>When true, a bad row is skipped and reported in <see cref="LoadResult{T}.Skipped"/>; otherwise it throws.</summary>
    public bool SkipBadRows { get; init; }
}
