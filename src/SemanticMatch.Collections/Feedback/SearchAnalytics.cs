namespace SemanticMatch.Collections.Feedback;

/// <summary>How one query (as typed, in lower case) fared over a window.</summary>
/// <param name="Query">The query, lower case, spaces collapsed.</param>
/// <param name="Searches">Searches for it (first pages only: a second page is the same search going on).</param>
/// <param name="NoResults">Of those, searches that found nothing.</param>
/// <param name="Clicked">Of those, searches with at least one click.</param>
/// <param name="ClickThroughRate">Clicked / searches with results (0 when none had results).</param>
/// <param name="MeanClickPosition">Mean 1-based position of the clicks, or null without clicks.</param>
public sealed record QueryAnalytics(string Query, int Searches, int NoResults, int Clicked, double ClickThroughRate, double? MeanClickPosition);

/// <summary>Searches and searches that found nothing on one UTC day.</summary>
public sealed record DailySearches(DateOnly Day, int Searches, int NoResults, int Clicked);

/// <summary>A collection's search analytics over a window: totals, per day, and the queries worth a look.</summary>
/// <param name="From">Start of the window (inclusive).</param>
/// <param name="To">End of the window (exclusive).</param>
/// <param name="Searches">First-page searches logged in the window.</param>
/// <param name="WithoutQueryText">Of those, searches logged without their text (query logging off): counted, not listed.</param>
/// <param name="NoResults">Searches that found nothing.</param>
/// <param name="Clicked">Searches with at least one click.</param>
/// <param name="ClickThroughRate">Clicked / searches with results.</param>
/// <param name="MeanClickPosition">Mean position of every click, or null without clicks.</param>
/// <param name="TopQueries">The most searched queries, most first.</param>
/// <param name="NoResultQueries">Queries that found nothing, most searched first.</param>
/// <param name="NoClickQueries">Queries that found results but were never clicked, most searched first.</param>
/// <param name="Days">Each UTC day of the window that had searches, in order.</param>
public sealed record SearchAnalyticsReport(DateTimeOffset From, DateTimeOffset To, int Searches, int WithoutQueryText, int NoResults, int Clicked,
    double ClickThroughRate, double? MeanClickPosition, IReadOnlyList<QueryAnalytics> TopQueries, IReadOnlyList<QueryAnalytics> NoResultQueries,
    IReadOnlyList<QueryAnalytics> NoClickQueries, IReadOnlyList<DailySearches> Days);

/// <summary>
/// Search analytics from a traffic log: which queries people search, which find nothing, which find results nobody
/// clicks, click-through rate and mean click position. A search counts in the window it was logged in; its clicks
/// count with it whenever they arrived. A click is the <see cref="EventAction.Click"/> action (a purchase or cart add
/// without a click, as some shops send, counts as one too).
/// </summary>
public static class SearchAnalytics
{
    /// <summary>Most queries a list may hold.</summary>
    public const int MaxListed = 1000;

    /// <summary>Queries a list holds unless told otherwise.</summary>
    public const int DefaultListed = 20;

    /// <summary>Reads the log once and computes the report for [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <exception cref="Core.InvalidRequestException"><paramref name="listed"/> is out of range.</exception>
    public static async Task<SearchAnalyticsReport> ComputeAsync(IAsyncEnumerable<TrafficEntry> entries, DateTimeOffset from, DateTimeOffset to,
        int listed = DefaultListed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(from, to);
        if (listed is < 1 or > MaxListed)
        {
            throw new Core.InvalidRequestException($"limit: must be between 1 and {MaxListed}");
        }

        var searches = new Dictionary<string, Tally>(StringComparer.Ordinal);
        await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Search is { Offset: 0 } search && entry.Time >= from && entry.Time < to)
            {
                searches.TryAdd(search.QueryId, new Tally(entry.Time, Key(search.Query), search.Hits.Count == 0));
            }

            foreach (var e in entry.Events ?? [])
            {
                if (e.Action is EventAction.Click or EventAction.AddToCart or EventAction.Purchase && searches.TryGetValue(e.QueryId, out var tally))
                {
                    tally.Click(e.ObjectId, e.Position);
                }
            }
        }

        var all = searches.Values.ToList();
        var total = Summarise(string.Empty, all);
        var perQuery = all.Where(t => t.Query is not null).GroupBy(t => t.Query!, StringComparer.Ordinal).Select(q => Summarise(q.Key, q.ToList())).ToList();
        List<QueryAnalytics> Top(IEnumerable<QueryAnalytics> queries) =>
            queries.OrderByDescending(q => q.Searches).ThenBy(q => q.Query, StringComparer.Ordinal).Take(listed).ToList();
        return new SearchAnalyticsReport(from, to, total.Searches, all.Count(t => t.Query is null), total.NoResults, total.Clicked,
            total.ClickThroughRate, total.MeanClickPosition,
            Top(perQuery), Top(perQuery.Where(q => q.NoResults > 0)), Top(perQuery.Where(q => q.Searches > q.NoResults && q.Clicked == 0)),
            all.GroupBy(t => DateOnly.FromDateTime(t.Time.UtcDateTime)).OrderBy(d => d.Key)
                .Select(d =>
                {
                    var day = Summarise(string.Empty, d.ToList());
                    return new DailySearches(d.Key, day.Searches, day.NoResults, day.Clicked);
                }).ToList());
    }

    // The outcome of some searches (one query's, one day's, or all of them): the same counts and rates for each.
    private static QueryAnalytics Summarise(string query, List<Tally> searches)
    {
        var withResults = searches.Count(t => !t.Empty);
        var clicked = searches.Count(t => t.Positions.Count > 0);
        var positions = searches.SelectMany(t => t.Positions).ToList();
        return new QueryAnalytics(query, searches.Count, searches.Count(t => t.Empty), clicked, withResults == 0 ? 0 : (double)clicked / withResults,
            positions.Count == 0 ? null : positions.Average());
    }

    private static string? Key(string? query) =>
        string.IsNullOrWhiteSpace(query) ? null : string.Join(' ', query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // One search's outcome: a hit clicked (or bought) several times counts once, at the position it was shown.
    private sealed class Tally(DateTimeOffset time, string? query, bool empty)
    {
        private readonly HashSet<string> _clicked = new(StringComparer.Ordinal);

        public DateTimeOffset Time { get; } = time;

        public string? Query { get; } = query;

        public bool Empty { get; } = empty;

        public List<int> Positions { get; } = [];

        public void Click(string id, int position)
        {
            if (_clicked.Add(id))
            {
                Positions.Add(position);
            }
        }
    }
}
