using System.Globalization;

namespace SemanticMatch.Core.Catalogue;

/// <summary>
/// Reads relevance judgments (<c>query,product_id,relevance</c>) from CSV or JSON Lines.
/// Relevance is a finite number in invariant culture ("2.33"); product ids are checked against the catalogue when given.
/// </summary>
public static class JudgmentReader
{
    /// <summary>
    /// Reads the whole file of judgments by product id (<c>query,product_id,relevance</c>).
    /// </summary>
    /// <param name="path">CSV or .jsonl file.</param>
    /// <param name="knownProductIds">Ids of the catalogue; a judgment naming another id is an error. Null skips the check.</param>
    /// <param name="options">Bad-row policy.</param>
    /// <param name="scale">Allowed relevance values (default <see cref="RelevanceScale.Default"/>).</param>
    /// <exception cref="InputFormatException">
    /// The file is missing or malformed, a relevance is outside the scale, or a (query, product) pair is judged twice
    /// (unless bad rows are skipped).
    /// </exception>
    public static LoadResult<Judgment> Read(string path, IReadOnlySet<string>? knownProductIds = null, ReadOptions? options = null,
        RelevanceScale? scale = null) =>
        Read(path, JudgmentLayout.ById, knownProductIds, options, scale, null);

    /// <summary>
    /// The layout of a labelled pair file that carries its product texts (<see cref="JudgmentLayout.TextLayouts"/>:
    /// QBQTC's <c>query,title,label</c>, AFQMC's <c>sentence1,sentence2,label</c>), or null for any other file.
    /// </summary>
    /// <exception cref="InputFormatException">The file is missing or cannot be read.</exception>
    public static JudgmentLayout? TextLayoutOf(string path)
    {
        var columns = TabularReader.Columns(path);
        return columns.Contains(JudgmentColumns.ProductId) ? null
            : JudgmentLayout.TextLayouts.FirstOrDefault(l => columns.Contains(l.Query) && columns.Contains(l.Product) && columns.Contains(l.Relevance));
    }

    /// <summary>
    /// Reads a labelled pair file that carries its product texts: each distinct text becomes a product whose id is
    /// <see cref="JudgmentLayout.IdOf"/> the text (the same text gets the same id in every file).
    /// </summary>
    /// <exception cref="InputFormatException">The file is not of a text layout, or as for <see cref="Read(string, IReadOnlySet{string}, ReadOptions, RelevanceScale)"/>.</exception>
    public static (LoadResult<Judgment> Judgments, IReadOnlyList<Product> Products) ReadWithTexts(string path, ReadOptions? options = null,
        RelevanceScale? scale = null)
    {
        var layout = TextLayoutOf(path) ?? throw new InputFormatException(path, 1, JudgmentColumns.ProductId,
            $"expected labelled text pairs ({string.Join(" or ", JudgmentLayout.TextLayouts.Select(l => $"{l.Query},{l.Product},{l.Relevance}"))})");
        var products = new Dictionary<string, Product>(StringComparer.Ordinal);
        var judgments = Read(path, layout, null, options, scale, products);
        return (judgments, [.. products.Values]);
    }

    private static LoadResult<Judgment> Read(string path, JudgmentLayout layout, IReadOnlySet<string>? knownProductIds, ReadOptions? options,
        RelevanceScale? scale, Dictionary<string, Product>? texts)
    {
        scale ??= RelevanceScale.Default;
        var rows = new RowCollector<Judgment>(path, options ?? new ReadOptions());
        var seen = new Dictionary<(string Query, string ProductId), (int Line, double Relevance)>();
        var file = TabularReader.Read(path, [layout.Query, layout.Product, layout.Relevance]);
        rows.Warn(file.Warnings);
        int repeated = 0, contradicting = 0;
        foreach (var row in file.Rows)
        {
            if (row.Error is not null)
            {
                rows.Reject(row.Line, row.ErrorField, row.Error);
                continue;
            }

            var query = row.Values[layout.Query].Trim();
            var product = row.Values[layout.Product].Trim();
            var productId = layout.ProductIsText ? JudgmentLayout.IdOf(product) : product;
            var relevanceText = row.Values[layout.Relevance].Trim();
            if (query.Length == 0)
            {
                rows.Reject(row.Line, layout.Query, "empty query");
            }
            else if (product.Length == 0)
            {
                rows.Reject(row.Line, layout.Product, layout.ProductIsText ? "empty text" : "empty product id");
            }
            else if (!double.TryParse(relevanceText, NumberStyles.Float, CultureInfo.InvariantCulture, out var relevance)
                     || !double.IsFinite(relevance))
            {
                rows.Reject(row.Line, layout.Relevance, $"cannot parse {layout.Relevance} '{relevanceText}' as a number (use '.' for decimals)");
            }
            else if (relevance < scale.Minimum || relevance > scale.Maximum)
            {
                rows.Reject(row.Line, layout.Relevance,
                    $"{layout.Relevance} {relevanceText} is outside the scale [{scale.Minimum.ToString(CultureInfo.InvariantCulture)}, {scale.Maximum.ToString(CultureInfo.InvariantCulture)}]");
            }
            else if (knownProductIds is not null && !knownProductIds.Contains(productId))
            {
                rows.Reject(row.Line, layout.Product, $"unknown product '{productId}': not in the products file");
            }
            else if (seen.TryGetValue((query, productId), out var first) && layout.ProductIsText)
            {
                // Labelled pair sets repeat pairs (QBQTC: 55 of 20,000, 6 with another label); each row is an example, as the task counts them.
                repeated += 1;
                contradicting += first.Relevance == relevance ? 0 : 1;
                rows.Add(new Judgment(query, productId, relevance));
            }
            else if (seen.ContainsKey((query, productId)))
            {
                rows.Reject(row.Line, layout.Product, first.Relevance == relevance
                    ? $"duplicate judgment of product '{productId}' for query '{query}' (first on line {first.Line})"
                    : $"judgment of product '{productId}' for query '{query}' contradicts line {first.Line} (relevance {relevanceText} here, {first.Relevance.ToString(CultureInfo.InvariantCulture)} there)");
            }
            else
            {
                seen[(query, productId)] = (row.Line, relevance);
                rows.Add(new Judgment(query, productId, relevance));
                texts?.TryAdd(productId, new Product(productId, product));
            }
        }

        if (repeated > 0)
        {
            rows.Warn([$"{path}: {repeated} rows repeat an earlier (query, text) pair ({contradicting} with another {layout.Relevance}); each row is kept as an example"]);
        }

        return rows.Result();
    }
}

/// <summary>Which columns of a labelled pair file hold the query, the product (its id, or its text) and the relevance.</summary>
/// <param name="Query">Column of the query (or first text).</param>
/// <param name="Product">Column of the product id, or of the product text when <paramref name="ProductIsText"/>.</param>
/// <param name="Relevance">Column of the graded relevance or label.</param>
/// <param name="ProductIsText">Whether <paramref name="Product"/> holds the text itself (the product id is then derived from it).</param>
public sealed record JudgmentLayout(string Query, string Product, string Relevance, bool ProductIsText)
{
    /// <summary>Our judgments: <c>query,product_id,relevance</c>.</summary>
    public static JudgmentLayout ById { get; } = new(JudgmentColumns.Query, JudgmentColumns.ProductId, JudgmentColumns.Relevance, false);

    /// <summary>The pair files read as they are: QBQTC's <c>query,title,label</c> and AFQMC's <c>sentence1,sentence2,label</c>.</summary>
    public static IReadOnlyList<JudgmentLayout> TextLayouts { get; } =
    [
        new(JudgmentColumns.Query, ProductColumns.Title, "label", true),
        new("sentence1", "sentence2", "label", true),
    ];

    /// <summary>The product id of a text in a text pair file: <c>t-</c> and the first 16 hex digits of its UTF-8 SHA-256.</summary>
    public static string IdOf(string text) =>
        "t-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
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
