using System.Collections.Concurrent;
using SemanticMatch.Search;

namespace SemanticMatch.Ranking;

/// <summary>Loads ranker directories on first use and shares each among the collections that name it.</summary>
public sealed class RankerProvider
{
    private readonly ConcurrentDictionary<string, Lazy<LearnedRanker>> _rankers = new(StringComparer.Ordinal);

    /// <summary>The ranker in <paramref name="directory"/>.</summary>
    /// <exception cref="Core.InvalidRequestException">Not a ranker directory.</exception>
    public IResultRanker Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var entry = _rankers.GetOrAdd(key, k => new Lazy<LearnedRanker>(() => RankerDirectory.Open(k)));
        try
        {
            return entry.Value;
        }
        catch
        {
            _rankers.TryRemove(key, out _); // a later request may find it repaired
            throw;
        }
    }
}
