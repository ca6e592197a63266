namespace SemanticMatch.Core.Catalogue;

/// <summary>Rows read from a file, and the bad rows that were skipped because the caller asked for it.</summary>
/// <typeparam name="T">Row type.</typeparam>
/// <param name="Items">Valid rows in file order.</param>
/// <param name="Skipped">One entry per skipped row, each naming file, line and problem.</param>
public sealed record LoadResult<T>(IReadOnlyList<T> Items, IReadOnlyList<InputFormatException> Skipped);

/// <summary>How readers treat bad rows.</summary>
public sealed record ReadOptions
{
    /// <summary>When true, a bad row is skipped and reported in <see cref="LoadResult{T}.Skipped"/>; otherwise it throws.</summary>
    public bool SkipBadRows { get; init; }
}
