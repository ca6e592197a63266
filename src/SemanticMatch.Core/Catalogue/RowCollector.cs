namespace SemanticMatch.Core.Catalogue;

/// <summary>Applies <see cref="ReadOptions.SkipBadRows"/>: throws on the first bad row, or records it and goes on.</summary>
internal sealed class RowCollector<T>(string path, ReadOptions options)
{
    private readonly List<T> _items = [];
    private readonly List<InputFormatException> _skipped = [];
    private readonly List<string> _warnings = [];

    public void Warn(IEnumerable<string> warnings) => _warnings.AddRange(warnings);

    public void Add(T item) => _items.Add(item);

    public void Reject(int line, string? field, string problem)
    {
        var error = new InputFormatException(path, line, field, problem);
        if (!options.SkipBadRows)
        {
            throw error;
        }

        _skipped.Add(error);
    }

    public LoadResult<T> Result() => new(_items, _skipped) { Warnings = _warnings };
}
