using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Experiments;

/// <summary>How a candidate fared against the collection searched over a window of interleaved searches.</summary>
/// <param name="Candidate">The candidate collection.</param>
/// <param name="Searches">Interleaved first-page searches logged in the window.</param>
/// <param name="WithClicks">Of those, searches with at least one click on a hit: the only ones that say anything.</param>
/// <param name="Wins">Searches whose clicks credit the candidate's picks more.</param>
/// <param name="Losses">Searches whose clicks credit the searched collection's picks more.</param>
/// <param name="Ties">Searches with clicks crediting both the same.</param>
/// <param name="Queries">Distinct queries (lower case) among the searches with clicks (0 with query logging off).</param>
/// <param name="Preference">Mean outcome of the searches with clicks (win +1, loss -1, tie 0): above 0 the candidate is preferred.</param>
/// <param name="Low">Lower end of the 95% confidence interval of <paramref name="Preference"/> (normal approximation).</param>
/// <param name="High">Upper end of it.</param>
/// <param name="Verdict">"candidate" when the interval is above 0, "serving" when below, else "no difference shown".</param>
public sealed record InterleavingResult(string Candidate, int Searches, int WithClicks, int Wins, int Losses, int Ties, int Queries,
    double Preference, double Low, double High, string Verdict);

/// <summary>
/// The outcome of interleaved searches from a traffic log. Each search's clicks (click, add to cart and purchase
/// events; one credit per clicked record) go to the team that picked the record; the team with more credit wins the
/// search. The preference is the mean outcome over searches with clicks, with a 95% interval (mean ± 1.96 standard
/// errors; [-1, 1] with fewer than two such searches). A search counts in the window it was logged in; its events
/// count whenever they arrived.
/// </summary>
public static class InterleavingReport
{
    /// <summary>Reads the log once; one result per candidate interleaved in [<paramref name="from"/>, <paramref name="to"/>), by name.</summary>
    public static async Task<IReadOnlyList<InterleavingResult>> ComputeAsync(IAsyncEnumerable<TrafficEntry> entries, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var searches = new Dictionary<string, LoggedSearch>(StringComparer.Ordinal);
        var clicked = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Search is { Interleaving: not null, Offset: 0 } search && entry.Time >= from && entry.Time < to)
            {
                searches[search.QueryId] = search;
            }

            foreach (var e in entry.Events ?? [])
            {
                if (e.Action is EventAction.Click or EventAction.AddToCart or EventAction.Purchase)
                {
                    (clicked.TryGetValue(e.QueryId, out var ids) ? ids : clicked[e.QueryId] = new(StringComparer.Ordinal)).Add(e.ObjectId);
                }
            }
        }

        return [.. searches.Values.GroupBy(s => s.Interleaving!.Candidate, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(group => Result(group.Key, [.. group], clicked))];
    }

    /// <summary>The outcome of one interleaved search from the records clicked: +1 candidate, -1 searched, 0 tie, null without clicks on its hits.</summary>
    public static int? Outcome(LoggedSearch search, IReadOnlySet<string> clicked)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(clicked);
        var teams = search.Interleaving?.Teams ?? string.Empty;
        int serving = 0, candidate = 0;
        for (var i = 0; i < search.Hits.Count && i < teams.Length; i++)
        {
            if (clicked.Contains(search.Hits[i]))
            {
                if (teams[i] == TeamDraft.Candidate)
                {
                    candidate++;
                }
                else
                {
                    serving++;
                }
            }
        }

        return serving + candidate == 0 ? null : Math.Sign(candidate - serving);
    }

    private static InterleavingResult Result(string candidate, List<LoggedSearch> searches, Dictionary<string, HashSet<string>> clicked)
    {
        var outcomes = new List<int>();
        var queries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var search in searches)
        {
            if (clicked.TryGetValue(search.QueryId, out var ids) && Outcome(search, ids) is { } outcome)
            {
                outcomes.Add(outcome);
                if (search.Query is { } query)
                {
                    queries.Add(string.Join(' ', query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                }
            }
        }

        var n = outcomes.Count;
        var mean = n == 0 ? 0 : outcomes.Average();
        var (low, high) = (-1.0, 1.0);
        if (n >= 2)
        {
            var variance = outcomes.Sum(o => (o - mean) * (o - mean)) / (n - 1);
            var margin = 1.96 * Math.Sqrt(variance / n);
            (low, high) = (Math.Max(-1, mean - margin), Math.Min(1, mean + margin));
        }

        var verdict = low > 0 ? "candidate" : high < 0 ? "serving" : "no difference shown";
        return new InterleavingResult(candidate, searches.Count, n, outcomes.Count(o => o > 0), outcomes.Count(o => o < 0), outcomes.Count(o => o == 0),
            queries.Count, mean, low, high, verdict);
    }
}
