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
    /// <exception cref="InputFormatException">The file is missing or malformed (unless bad rows are skipped).</exception>
    public static LoadResult<Judgment> Read(string path, IReadOnlySet<string>? knownProductIds = null, ReadOptions? options = null)
    {
        var rows = new RowCollector<Judgment>(path, options ?? new ReadOptions());
        foreach (var row in TabularReader.Read(path, s_required))
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
            else if (knownProductIds is not null && !knownProductIds.Contains(productId))
            {
                rows.Reject(row.Line, JudgmentColumns.ProductId, $"unknown product '{productId}': not in the products file");
            }
            else
            {
                rows.Add(new Judgment(query, productId, relevance));
            }
        }

        return rows.Result();
    }
}
