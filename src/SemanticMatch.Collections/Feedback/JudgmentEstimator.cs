using System.Globalization;
using System.Text;

namespace SemanticMatch.Collections.Feedback;

/// <summary>What an estimate was made from.</summary>
/// <param name="Searches">Logged searches with query text.</param>
/// <param name="SearchesWithEvents">Of those, searches that got at least one event.</param>
/// <param name="ExcludedSessions">Sessions left out for clicking absurdly often.</param>
/// <param name="UnmatchedEvents">Events whose search is not in the log (lost, pruned, or a wrong id), or whose record it did not show.</param>
public sealed record JudgmentEvidence(int Searches, int SearchesWithEvents, int ExcludedSessions, int UnmatchedEvents);

/// <summary>Judgments estimated from a traffic log, and what they were made from.</summary>
public sealed record JudgmentSet(IReadOnlyList<EstimatedJudgment> Judgments, JudgmentEvidence Evidence, ClickModel Model)
{
    /// <summary>The header of the CSV <c>semmatch train</c> reads (the evidence columns after it are ignored there).</summary>
    public const string Header = "query,product_id,relevance,impressions,clicks";

    /// <summary>The judgments as CSV.</summary>
    public string ToCsv()
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var j in Judgments)
        {
            text.Append(CsvField.Quote(j.Query)).Append(',').Append(CsvField.Quote(j.ProductId)).Append(',')
                .Append(Math.Round(j.Relevance, 4).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(j.Impressions.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(j.Clicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>
/// Turns a collection's traffic log into judgments for <c>semmatch train</c>: each logged search that got events, with
/// what was shown where (only the hits with an impression event when it has any), the clicks, carts and purchases that
/// refer to it;
/// sessions with absurd click rates left out; then a click model (<see cref="JudgmentOptions.ClickModel"/>).
/// </summary>
public static class JudgmentEstimator
{
    /// <summary>Estimates the judgments of <paramref name="collection"/>'s log.</summary>
    public static async Task<JudgmentSet> EstimateAsync(IFeedbackStore store, string collection, JudgmentOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entries = new List<TrafficEntry>();
        await foreach (var entry in store.ReadAsync(collection, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return Estimate(entries, options);
    }

    /// <summary>Estimates judgments from log entries.</summary>
    public static JudgmentSet Estimate(IEnumerable<TrafficEntry> entries, JudgmentOptions? options = null)
    {
        options ??= new JudgmentOptions();
        if (options.Problem() is { } problem)
        {
            throw new Core.InvalidRequestException($"{problem.Property}: {problem.Rule}");
        }

        var (searches, logged, unmatched) = Gather(entries, options);
        var (kept, excluded) = WithoutAbsurdSessions(searches, options);
        var judgments = options.ClickModel == ClickModel.Naive ? Naive(kept, options) : PositionBased(kept, options);
        return new JudgmentSet(judgments, new JudgmentEvidence(logged, searches.Count, excluded, unmatched), options.ClickModel);
    }

    /// <summary>One search as the estimate sees it: the query, what was shown at which position, what was done.</summary>
    private sealed class Observed(string query, string? session, IReadOnlyList<string> hits, int offset)
    {
        public string Query { get; } = query;

        public string? Session { get; } = session;

        public Dictionary<string, int> Positions { get; } = hits.Select((id, i) => (id, i)).GroupBy(h => h.id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => offset + g.First().i + 1, StringComparer.Ordinal);

        public HashSet<string> Impressed { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Clicked { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Bought { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Rejected { get; } = new(StringComparer.Ordinal);

        public bool HasEvents => Impressed.Count + Clicked.Count + Rejected.Count > 0;

        /// <summary>
        /// The hits shown: those with an impression event when there are any (and those acted on), else every hit answered.
        /// </summary>
        public IEnumerable<(string Id, int Position)> Shown() =>
            Positions.Where(p => Impressed.Count == 0 || Impressed.Contains(p.Key) || Clicked.Contains(p.Key) || Rejected.Contains(p.Key))
                .Select(p => (p.Key, p.Value));
    }

    private static (List<Observed> Searches, int Logged, int Unmatched) Gather(IEnumerable<TrafficEntry> entries, JudgmentOptions options)
    {
        var byId = new Dictionary<string, Observed>(StringComparer.Ordinal);
        var searches = new List<Observed>();
        var unmatched = 0;
        foreach (var entry in entries)
        {
            if (entry.Search is { Query: { } query } search && !string.IsNullOrWhiteSpace(query) && !byId.ContainsKey(search.QueryId))
            {
                var observed = new Observed(query.Trim().ToLowerInvariant(), search.Session, search.Hits, search.Offset);
                byId[search.QueryId] = observed;
                searches.Add(observed);
            }

            foreach (var e in entry.Events ?? [])
            {
                if (!byId.TryGetValue(e.QueryId, out var target) || !target.Positions.ContainsKey(e.ObjectId))
                {
                    unmatched++;
                    continue;
                }

                (e.Action switch
                {
                    EventAction.Impression => target.Impressed,
                    EventAction.Click => target.Clicked,
                    EventAction.AddToCart or EventAction.Purchase => target.Bought,
                    _ => target.Rejected,
                }).Add(e.ObjectId);
                if (e.Action is EventAction.AddToCart or EventAction.Purchase)
                {
                    target.Clicked.Add(e.ObjectId); // bought means clicked, whether or not the click was sent
                }
            }
        }

        // A search without any event says nothing: its client may not send events at all (or it was a page's own
        // request for facet counts). A client that wants "seen, nothing clicked" counted sends the impressions.
        return (searches.Where(s => s.HasEvents && s.Positions.Values.Any(p => p <= options.MaxPosition)).ToList(), searches.Count, unmatched);
    }

    private static (List<Observed> Kept, int Excluded) WithoutAbsurdSessions(List<Observed> searches, JudgmentOptions options)
    {
        var absurd = searches.Where(s => s.Session is not null).GroupBy(s => s.Session!, StringComparer.Ordinal)
            .Where(g => g.Average(s => s.Clicked.Count) > options.MaxClicksPerSearch)
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return (searches.Where(s => s.Session is null || !absurd.Contains(s.Session)).ToList(), absurd.Count);
    }

    private static List<EstimatedJudgment> PositionBased(List<Observed> searches, JudgmentOptions options)
    {
        var pairs = new Dictionary<(string Query, string Id), int>();
        var observations = new List<PositionBasedModel.Observation>();
        var impressions = new List<int>();
        var clicks = new List<int>();
        foreach (var search in searches)
        {
            var shown = search.Shown().Where(h => h.Position <= options.MaxPosition).ToList();
            var lastClick = shown.Where(h => search.Clicked.Contains(h.Id)).Select(h => h.Position).DefaultIfEmpty(0).Max();
            foreach (var (id, position) in shown)
            {
                if (!pairs.TryGetValue((search.Query, id), out var pair))
                {
                    pair = pairs[(search.Query, id)] = pairs.Count;
                    impressions.Add(0);
                    clicks.Add(0);
                }

                var clicked = search.Clicked.Contains(id);
                impressions[pair]++;
                clicks[pair] += clicked ? 1 : 0;
                var examined = search.Rejected.Contains(id) || (options.SkipAbove && position < lastClick);
                observations.Add(new(pair, position - 1, clicked, examined));
            }
        }

        var (attraction, _) = PositionBasedModel.Fit(observations, pairs.Count, options.MaxPosition, options.Iterations);
        return Ordered(pairs.Where(p => impressions[p.Value] >= options.MinEvidence)
            .Select(p => new EstimatedJudgment(p.Key.Query, p.Key.Id, attraction[p.Value], impressions[p.Value], clicks[p.Value])));
    }

    private static List<EstimatedJudgment> Naive(List<Observed> searches, JudgmentOptions options)
    {
        var pairs = new Dictionary<(string Query, string Id), (int Shown, int Clicks, bool Bought, bool Rejected)>();
        foreach (var search in searches)
        {
            foreach (var (id, _) in search.Shown())
            {
                var (shown, clicked, bought, rejected) = pairs.GetValueOrDefault((search.Query, id));
                pairs[(search.Query, id)] = (shown + 1, clicked + (search.Clicked.Contains(id) ? 1 : 0), bought || search.Bought.Contains(id),
                    rejected || search.Rejected.Contains(id));
            }
        }

        return Ordered(pairs
            .Select(p => (p.Key, p.Value, Grade: p.Value.Bought ? 3 : p.Value.Clicks > 0 ? 2 : p.Value.Rejected ? 0 : p.Value.Shown >= options.MinImpressions ? 1 : -1))
            .Where(p => p.Grade >= 0)
            .Select(p => new EstimatedJudgment(p.Key.Query, p.Key.Id, p.Grade, p.Value.Shown, p.Value.Clicks)));
    }

    private static List<EstimatedJudgment> Ordered(IEnumerable<EstimatedJudgment> judgments) =>
        judgments.OrderBy(j => j.Query, StringComparer.Ordinal).ThenBy(j => j.ProductId, StringComparer.Ordinal).ToList();
}
