using System.Globalization;
using System.Text;

namespace SemanticMatch.Collections.Feedback;

/// <summary>
/// Turns search logs into graded judgments that <c>semmatch train</c> reads: for each (query, product) shown, relevance
/// 3 when it was bought, 2 when clicked, 0 when a user marked it not relevant ("rejected", the search page's thumbs-down),
/// 1 when shown at least <see cref="ExportOptions.MinImpressions"/> times and never clicked; other pairs are left out.
/// Queries are compared after trimming and lower-casing.
/// </summary>
public static class FeedbackExport
{
    /// <summary>Writes <c>query,product_id,relevance</c> rows to <paramref name="outPath"/>; returns the number of rows.</summary>
    /// <exception cref="Core.InvalidRequestException">The collection has no feedback log.</exception>
    public static async Task<int> ExportAsync(IFeedbackStore store, string collection, string outPath, ExportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ExportOptions();
        var pairs = new Dictionary<(string Query, string Id), (int Shown, bool Clicked, bool Bought, bool Rejected)>();
        await foreach (var e in store.ReadAsync(collection, cancellationToken))
        {
            var query = e.Query.Trim().ToLowerInvariant();
            var rejected = e.Rejected ?? []; // logs written before rejections existed lack the list
            foreach (var id in e.Shown.Concat(e.Clicked).Concat(e.Purchased).Concat(rejected).Distinct(StringComparer.Ordinal))
            {
                var current = pairs.GetValueOrDefault((query, id));
                pairs[(query, id)] = (current.Shown + (e.Shown.Contains(id) ? 1 : 0), current.Clicked || e.Clicked.Contains(id),
                    current.Bought || e.Purchased.Contains(id), current.Rejected || rejected.Contains(id));
            }
        }

        var rows = pairs
            .Select(p => (p.Key.Query, p.Key.Id, Relevance: p.Value.Bought ? 3 : p.Value.Clicked ? 2 : p.Value.Rejected ? 0 : p.Value.Shown >= options.MinImpressions ? 1 : -1))
            .Where(r => r.Relevance >= 0)
            .OrderBy(r => r.Query, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        var text = new StringBuilder("query,product_id,relevance\n");
        foreach (var (query, id, relevance) in rows)
        {
            text.Append(Csv(query)).Append(',').Append(Csv(id)).Append(',').Append(relevance.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await File.WriteAllTextAsync(outPath, text.ToString(), cancellationToken);
        return rows.Count;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

/// <summary>How feedback becomes judgments.</summary>
public sealed record ExportOptions
{
    /// <summary>Impressions without a click before a shown product counts as a (weak) negative, relevance 1.</summary>
    public int MinImpressions { get; init; } = 2;
}
