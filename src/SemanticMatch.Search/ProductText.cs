using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;

namespace SemanticMatch.Search;

/// <summary>Builds the text that represents a product for matching: chosen fields, joined, then normalised.</summary>
/// <param name="Fields">Product fields to use, in order (e.g. title, description).</param>
/// <param name="Normalization">Clean-up applied to products and queries alike.</param>
public sealed record ProductText(IReadOnlyList<string> Fields, TextNormalizationOptions Normalization)
{
    private TextNormalizer? _normalizer;

    /// <summary>Title only, all normalisation steps on.</summary>
    public static ProductText Default { get; } = new([ProductColumns.Title], TextNormalizationOptions.Default);

    private TextNormalizer Normalizer => _normalizer ??= new TextNormalizer(Normalization);

    /// <summary>The normalised text of a product: non-empty chosen fields joined by ". ".</summary>
    public string Of(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Of(product.Field);
    }

    /// <summary>The normalised text of an item whose field values <paramref name="fieldText"/> gives: non-empty chosen fields joined by ". ".</summary>
    public string Of(Func<string, string> fieldText) =>
        Normalizer.Normalize(string.Join(". ", Fields.Select(fieldText).Where(v => !string.IsNullOrWhiteSpace(v))));

    /// <summary>Throws unless every chosen field is a column of <paramref name="products"/> (read from <paramref name="source"/>).</summary>
    /// <exception cref="InvalidRequestException">A field is not a column: every product text would lack it.</exception>
    public void CheckFields(IReadOnlyList<Product> products, string source)
    {
        var columns = new SortedSet<string>(products.SelectMany(p => p.Fields.Keys), StringComparer.Ordinal) { ProductColumns.Title };
        var unknown = Fields.Where(f => !columns.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidRequestException(
                $"--fields: {string.Join(", ", unknown.Select(f => $"'{f}'"))} {(unknown.Count == 1 ? "is not a column" : "are not columns")} of {source} (it has: {string.Join(", ", columns)})");
        }
    }

    /// <summary>The normalised query.</summary>
    public string OfQuery(string query) => Normalizer.Normalize(query);
}
