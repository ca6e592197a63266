using System.Text.Json;

namespace SemanticMatch.Core.Catalogue;

/// <summary>Writes products as JSON Lines in the format <see cref="ProductReader"/> reads.</summary>
public static class ProductWriter
{
    /// <summary>Writes one JSON object per product: product_id, title, then the other fields.</summary>
    public static void WriteJsonLines(string path, IEnumerable<Product> products)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        foreach (var product in products)
        {
            writer.WriteStartObject();
            writer.WriteString(ProductColumns.Id, product.Id);
            writer.WriteString(ProductColumns.Title, product.Title);
            foreach (var (name, value) in product.Fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }
}
