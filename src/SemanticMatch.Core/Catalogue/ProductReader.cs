namespace SemanticMatch.Core.Catalogue;

/// <summary>
/// Reads a product catalogue from CSV (<c>product_id,title[,description,...]</c>) or JSON Lines
/// (<c>{"product_id": ..., "title": ...}</c>). Extra columns are kept as fields; ids must be unique and non-empty.
/// </summary>
public static class ProductReader
{
    private static readonly string[] s_required = [ProductColumns.Id, ProductColumns.Title];

    /// <summary>Reads the whole file.</summary>
    /// <exception cref="InputFormatException">The file is missing or malformed (unless bad rows are skipped).</exception>
    public static LoadResult<Product> Read(string path, ReadOptions? options = null)
    {
        var rows = new RowCollector<Product>(path, options ?? new ReadOptions());
        var firstLineById = new Dictionary<string, int>(StringComparer.Ordinal);
        var file = TabularReader.Read(path, s_required);
        rows.Warn(file.Warnings);
        foreach (var row in file.Rows)
        {
            if (row.Error is not null)
            {
                rows.Reject(row.Line, row.ErrorField, row.Error);
                continue;
            }

            var id = row.Values[ProductColumns.Id].Trim();
            var title = row.Values[ProductColumns.Title];
            if (id.Length == 0)
            {
                rows.Reject(row.Line, ProductColumns.Id, "empty product id");
                continue;
            }

            if (firstLineById.TryGetValue(id, out var firstLine))
            {
                rows.Reject(row.Line, ProductColumns.Id, $"duplicate product id '{id}' (first seen on line {firstLine})");
                continue;
            }

            var fields = row.Values
                .Where(kv => kv.Key is not ProductColumns.Id and not ProductColumns.Title)
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            if (string.IsNullOrWhiteSpace(title) && fields.Values.All(string.IsNullOrWhiteSpace))
            {
                rows.Reject(row.Line, ProductColumns.Title, $"product '{id}' has no text (empty title and no other fields)");
                continue;
            }

            firstLineById[id] = row.Line;
            rows.Add(new Product(id, title, fields));
        }

        return rows.Result();
    }
}
