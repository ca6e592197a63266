namespace SemanticMatch.Core.Catalogue;

/// <summary>A catalogue item: its id, title and any further named text fields (e.g. description, brand).</summary>
/// <param name="Id">Unique, non-empty product id.</param>
/// <param name="Title">Product title; may be empty only when other fields carry the text.</param>
/// <param name="Fields">Further text fields by lower-case column name; never contains product_id or title.</param>
public sealed record Product(string Id, string Title, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>Creates a product with a title only.</summary>
    public Product(string id, string title)
        : this(id, title, new Dictionary<string, string>())
    {
    }

    /// <summary>Returns the value of a field by name ("title" included), or an empty string when absent.</summary>
    public string Field(string name) =>
        name == ProductColumns.Title ? Title : Fields.GetValueOrDefault(name, string.Empty);
}

/// <summary>Column names with a fixed meaning in product files.</summary>
public static class ProductColumns
{
    /// <summary>The id column.</summary>
    public const string Id = "product_id";

    /// <summary>The title column.</summary>
    public const string Title = "title";

    /// <summary>The optional description column (may hold HTML).</summary>
    public const string Description = "description";
}
