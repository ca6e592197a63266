using System.Text;
using System.Text.Json;

namespace SemanticMatch.Collections.Tests;

/// <summary>Builds test records.</summary>
internal static class Records
{
    public static JsonElement Json(string text) => JsonDocument.Parse(Encoding.UTF8.GetBytes(text)).RootElement.Clone();

    public static Record R(string id, string title, double? price = null, string? brand = null, string? category = null)
    {
        var fields = new Dictionary<string, object> { ["id"] = id, ["title"] = title };
        if (price is { } p)
        {
            fields["price"] = p;
        }

        if (brand is not null)
        {
            fields["brand"] = brand;
        }

        if (category is not null)
        {
            fields["category"] = category;
        }

        return Record.FromJson(Json(JsonSerializer.Serialize(fields)), id);
    }
}
