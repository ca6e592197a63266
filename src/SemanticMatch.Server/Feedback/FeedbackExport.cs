using System.Globalization;
using System.Text;
using SemanticMatch.Core;

namespace SemanticMatch.Server.Feedback;

/// <summary>
/// Turns search logs into graded judgments that <c>semmatch train</c> reads: for each (query, product) shown, relevance
/// 3 when it was bought, 2 when clicked, 0 when a user marked it not relevant ("rejected", the search page's thumbs-down),
/// 1 when shown at least <see cref="ExportOptions.MinImpressions"/> times and never clicked; other pairs are left out.
/// Queries are compared after trimming and lower-casing.
/// </summary>
public static class FeedbackExport
{
    /// <summary>Writes <c>query,product_id,relevance</c> rows to <paramref name="outPath"/>; returns the number of rows.</summary>
    /// <exception cref="InvalidRequestException">The collection has no feedback log.</exception>
    public static int Export(string dataDirectory, string collection, string outPath, ExportOptions? options = null)
    {
        options ??= new ExportOptions();
        var log = FeedbackLog.PathOf(dataDirectory, collection);
        if (!File.Exists(log))
        {
            throw new InvalidRequestException($"no feedback logged for collection '{collection}' in {dataDirectory}");
        }

        var pairs = new Dictionary<(string Query, string Id), (int Shown, bool Clicked, bool Bought, bool Rejected)>();
        foreach (var e in FeedbackLog.Read(log))
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

        File.WriteAllText(outPath, text.ToString());
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
