using System.Globalization;

namespace SemanticMatch.Core.Catalogue;

/// <summary>
/// Reads relevance judgments (<c>query,product_id,relevance</c>) from CSV or JSON Lines.
/// Relevance is a finite number in invariant culture ("2.33"); product ids are checked against the catalogue when given.
/// </summary>
public static class JudgmentReader
{
    private static readonly string[] s_required = [JudgmentColumns.Query, JudgmentColumns.ProductId, JudgmentColumns.Relevance];

    /// <summary>Reads the whole file.</summary>
    /// <param name="path">CSV or .jsonl file.</param>
    /// <param name="knownProductIds">Ids of the catalogue; a judgment naming another id is an error. Null skips the check.</param>
    /// <param name="options">Bad-row policy.</param>
    /// <param name="scale">Allowed relevance values (default <see cref="RelevanceScale.Default"/>).</param>
    /// <exception cref="InputFormatException">
    /// The file is missing or malformed, a relevance is outside the scale, or a (query, product) pair is judged twice
    /// (unless bad rows are skipped).
    /// </exception>
    public static LoadResult<Judgment> Read(string path, IReadOnlySet<string>? knownProductIds = null, ReadOptions? options = null,
        RelevanceScale? scale = null)
    {
        scale ??= RelevanceScale.Default;
        var rows = new RowCollector<Judgment>(path, options ?? new ReadOptions());
        var seen = new Dictionary<(string Query, string ProductId), (int Line, double Relevance)>();
        var file = TabularReader.Read(path, s_required);
        rows.Warn(file.Warnings);
        foreach (var row in file.Rows)
        {
            if (row.Error is not null)
            {
                rows.Reject(row.Line, row.ErrorField, row.Error);
                continue;
            }

            var query = row.Values[JudgmentColumns.Query].Trim();
            var productId = row.Values[JudgmentColumns.ProductId].Trim();
            var relevanceText = row.Values[JudgmentColumns.Relevance].Trim();
            if (query.Length == 0)
            {
                rows.Reject(row.Line, JudgmentColumns.Query, "empty query");
            }
            else if (productId.Length == 0)
            {
                rows.Reject(row.Line, JudgmentColumns.ProductId, "empty product id");
            }
            else if (!double.TryParse(relevanceText, NumberStyles.Float, CultureInfo.InvariantCulture, out var relevance)
                     || !double.IsFinite(relevance))
            {
                rows.Reject(row.Line, JudgmentColumns.Relevance, $"cannot parse relevance '{relevanceText}' as a number (use '.' for decimals)");
            }
            else if (relevance < scale.Minimum || relevance > scale.Maximum)
            {
                rows.Reject(row.Line, JudgmentColumns.Relevance,
                    $"relevance {relevanceText} is outside the scale [{scale.Minimum.ToString(CultureInfo.InvariantCulture)}, {scale.Maximum.ToString(CultureInfo.InvariantCulture)}]");
            }
            else if (knownProductIds is not null && !knownProductIds.Contains(productId))
            {
                rows.Reject(row.Line, JudgmentColumns.ProductId, $"unknown product '{productId}': not in the products file");
            }
            else if (seen.TryGetValue((query, productId), out var first))
            {
                rows.Reject(row.Line, JudgmentColumns.ProductId, first.Relevance == relevance
                    ? $"duplicate judgment of product '{productId}' for query '{query}' (first on line {first.Line})"
                    : $"judgment of product '{productId}' for query '{query}' contradicts line {first.Line} (relevance {relevanceText} here, {first.Relevance.ToString(CultureInfo.InvariantCulture)} there)");
            }
            else
            {
                seen[(query, productId)] = (row.Line, relevance);
                rows.Add(new Judgment(query, productId, relevance));
            }
        }

        return rows.Result();
    }
}

/// <summary>The relevance values a judgments file may hold.</summary>
/// <param name="Minimum">Lowest allowed relevance.</param>
/// <param name="Maximum">Highest allowed relevance.</param>
public sealed record RelevanceScale(double Minimum, double Maximum)
{
    /// <summary>
    /// [-100, 100]: wide enough for any graded scale in use (0-1, 0-2, 1-3, 0-4, 1-5, 0-100) while rejecting absurd values
    /// such as 1e9, for which NDCG's gain 2^(rel - min) overflows.
    /// </summary>
    public static RelevanceScale Default { get; } = new(-100, 100);
}
