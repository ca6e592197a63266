namespace SemanticMatch.Collections.Feedback;

/// <summary>A query shoppers searched often, as searched (normalised, spelling corrected, lower case).</summary>
/// <param name="Query">The query.</param>
/// <param name="Searches">How many first-page searches of it found results.</param>
public sealed record PopularQuery(string Query, int Searches);

/// <summary>Where completions find popular logged queries.</summary>
public interface IPopularQueries
{
    /// <summary>The popular queries of <paramref name="collection"/> starting with <paramref name="prefix"/>, at most <paramref name="limit"/>, most searched first.</summary>
    IReadOnlyList<PopularQuery> StartingWith(string collection, string prefix, int limit);
}

/// <summary>
/// One collection's tally of logged searches, for completions. A query is popular once its first page found results
/// <see cref="MinSearches"/> times for at least <see cref="MinSessions"/> different sessions: one client repeating a
/// query cannot put it in everybody's search box, and what one shopper typed is never shown to another.
/// </summary>
/// <remarks>Thread-safe. Holds at most <see cref="MaxTracked"/> distinct queries; later new ones are not counted.</remarks>
public sealed class PopularQueryTable
{
    /// <summary>Searches that make a query popular.</summary>
    public const int MinSearches = 3;

    /// <summary>Different sessions that must have searched it.</summary>
    public const int MinSessions = 2;

    /// <summary>Most distinct queries tallied.</summary>
    public const int MaxTracked = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    // The popular queries in ordinal order (for prefix ranges), rebuilt when a query first becomes popular.
    private string[] _popular = [];
    private bool _stale;

    /// <summary>Counts a logged search: a first page that found results, with its query text.</summary>
    public void Count(LoggedSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search is not { Offset: 0, Hits.Count: > 0, Searched: { Length: > 0 } searched })
        {
            return;
        }

        var query = searched.ToLowerInvariant();
        lock (_gate)
        {
            if (!_tallies.TryGetValue(query, out var tally))
            {
                if (_tallies.Count >= MaxTracked)
                {
                    return;
                }

                _tallies[query] = tally = new Tally();
            }

            var wasPopular = tally.Popular;
            tally.Add(search.Session);
            _stale |= tally.Popular && !wasPopular;
        }
    }

    /// <summary>The popular queries starting with <paramref name="prefix"/>, at most <paramref name="limit"/>, most searched first.</summary>
    public IReadOnlyList<PopularQuery> StartingWith(string prefix, int limit)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        lock (_gate)
        {
            if (_stale)
            {
                _popular = _tallies.Where(t => t.Value.Popular).Select(t => t.Key).Order(StringComparer.Ordinal).ToArray();
                _stale = false;
            }

            var first = Array.BinarySearch(_popular, prefix, StringComparer.Ordinal);
            var matches = new List<PopularQuery>();
            for (var i = first < 0 ? ~first : first; i < _popular.Length && _popular[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                matches.Add(new PopularQuery(_popular[i], _tallies[_popular[i]].Searches));
            }

            return matches.OrderByDescending(m => m.Searches).ThenBy(m => m.Query, StringComparer.Ordinal).Take(limit).ToList();
        }
    }

    // MinSessions = 2: the first session is kept and a second one noticed.
    private sealed class Tally
    {
        private string? _firstSession;
        private bool _secondSession;

        public int Searches { get; private set; }

        public bool Popular => Searches >= MinSearches && _secondSession;

        public void Add(string? session)
        {
            Searches++;
            if (session is null || _secondSession)
            {
                return;
            }

            if (_firstSession is null)
            {
                _firstSession = session;
            }
            else if (_firstSession != session)
            {
                _secondSession = true;
            }
        }
    }
}
