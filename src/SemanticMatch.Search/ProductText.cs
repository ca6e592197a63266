using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;

namespace SemanticMatch.Search;

/// <summary>Builds the text that represents a product for matching: chosen fields, joined, then normalised.</summary>
/// <remarks>Immutable and thread-safe; two are equal when they name the same fields in the same order and normalise alike.</remarks>
public sealed record ProductText
{
    private readonly TextNormalizer _normalizer;

    /// <summary>Creates the text of <paramref name="fields"/> under <paramref name="normalization"/>.</summary>
    /// <param name="fields">Product fields to use, in order (e.g. title, description).</param>
    /// <param name="normalization">Clean-up applied to products and queries alike.</param>
    public ProductText(IReadOnlyList<string> fields, TextNormalizationOptions normalization)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(normalization);
        Fields = fields;
        Normalization = normalization;
        _normalizer = new TextNormalizer(normalization);
    }

    /// <summary>Product fields to use, in order.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Clean-up applied to products and queries alike.</summary>
    public TextNormalizationOptions Normalization { get; }

    /// <summary>Title only, all normalisation steps on.</summary>
    public static ProductText Default { get; } = new([ProductColumns.Title], TextNormalizationOptions.Default);

    /// <summary>The normalised text of a product: non-empty chosen fields joined by ". ".</summary>
    public string Of(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Of(product.Field);
    }

    /// <summary>The normalised text of an item whose field values <paramref name="fieldText"/> gives: non-empty chosen fields joined by ". ".</summary>
    public string Of(Func<string, string> fieldText) =>
        _normalizer.Normalize(string.Join(". ", Fields.Select(fieldText).Where(v => !string.IsNullOrWhiteSpace(v))));

    /// <summary>
    /// Whether a chosen field is not a column of <paramref name="products"/> (read from <paramref name="source"/>), so
    /// every product text would lack it: the problem with <see cref="Fields"/> (each host names the setting its own
    /// way), or null.
    /// </summary>
    public OptionProblem? FieldsProblem(IReadOnlyList<Product> products, string source)
    {
        ArgumentNullException.ThrowIfNull(products);
        var columns = new SortedSet<string>(products.SelectMany(p => p.Fields.Keys), StringComparer.Ordinal) { ProductColumns.Title };
        var unknown = Fields.Where(f => !columns.Contains(f)).ToList();
        return unknown.Count == 0
            ? null
            : new OptionProblem(nameof(Fields),
                $"{string.Join(", ", unknown.Select(f => $"'{f}'"))} {(unknown.Count == 1 ? "is not a column" : "are not columns")} of {source} (it has: {string.Join(", ", columns)})");
    }

    /// <summary>The normalised query.</summary>
    public string OfQuery(string query) => _normalizer.Normalize(query);

    /// <inheritdoc />
    public bool Equals(ProductText? other) =>
        other is not null && Fields.SequenceEqual(other.Fields, StringComparer.Ordinal) && Normalization == other.Normalization;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(string.Join('\u0001', Fields), Normalization);
}
