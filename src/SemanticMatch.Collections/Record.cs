using System.Globalization;
using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Collections;

/// <summary>An item of a collection: an id and named fields holding strings, numbers, booleans or null.</summary>
/// <param name="Id">Unique, non-empty id (at most <see cref="MaxIdLength"/> characters).</param>
/// <param name="Fields">Field values by name (case-sensitive); never contains "id".</param>
public sealed record Record(string Id, IReadOnlyDictionary<string, JsonElement> Fields)
{
    /// <summary>Longest id accepted.</summary>
    public const int MaxIdLength = 512;

    /// <summary>The id property name in JSON.</summary>
    public const string IdProperty = "id";

    /// <summary>Reads a record from a JSON object <c>{"id": "p1", "title": "...", "price": 12.5}</c>.</summary>
    /// <param name="json">The object.</param>
    /// <param name="where">Where it came from, for messages ("record 3").</param>
    /// <exception cref="InvalidRequestException">Not an object, no string id, or a field that is an object or array.</exception>
    public static Record FromJson(JsonElement json, string where)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{where}: expected a JSON object, got {json.ValueKind.ToString().ToLowerInvariant()}");
        }

        string? id = null;
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name == IdProperty)
            {
                id = property.Value.ValueKind switch
                {
                    JsonValueKind.String => StringOf(property.Value, where, "'id'"),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => throw new InvalidRequestException($"{where}: 'id' must be a string"),
                };
                continue;
            }

            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new InvalidRequestException($"{where}: field '{property.Name}' must be a string, number, boolean or null");
            }

            if (property.Value.ValueKind == JsonValueKind.String)
            {
                StringOf(property.Value, where, $"field '{property.Name}'");
            }

            fields[property.Name] = property.Value.Clone();
        }

        if (IdProblem(id) is { } problem)
        {
            throw new InvalidRequestException($"{where}: 'id' {problem}");
        }

        return new Record(id!, fields);
    }

    // JSON can escape a lone surrogate ("\ud800"), which no .NET string of ours may hold (it has no UTF-8 form).
    private static string StringOf(JsonElement value, string where, string what)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidRequestException($"{where}: {what} holds an unpaired surrogate (\\uD800-\\uDFFF alone); text must be valid Unicode");
        }
    }

    // Why an id cannot be a record id, or null. The rule: any text of 1 to MaxIdLength characters that a URL path
    // segment can carry percent-encoded — not "." or ".." (dot segments), no control characters (NUL included); an
    // unpaired surrogate (no UTF-8 form) is refused already where the JSON string is read (StringOf).
    private static string? IdProblem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "is missing or empty";
        }

        if (id.Length > MaxIdLength)
        {
            return $"is {id.Length} characters long; at most {MaxIdLength}";
        }

        if (id is "." or "..")
        {
            return $"'{id}' cannot be a record id: a path segment '{id}' means the current or parent path";
        }

        for (var i = 0; i < id.Length; i++)
        {
            if (char.IsControl(id[i]))
            {
                return $"holds the control character U+{(int)id[i]:X4} at position {i + 1}; ids must be printable";
            }
        }

        return null;
    }

    /// <summary>A field as text: strings as they are, numbers and booleans as written, null or missing as "".</summary>
    public string Text(string field) => Fields.TryGetValue(field, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
            _ => value.GetRawText(),
        }
        : string.Empty;

    /// <summary>A field as a number, when it is one (or a string holding one).</summary>
    public double? Number(string field) => Fields.TryGetValue(field, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        }
        : null;

    /// <summary>A catalogue product as a record: its id, "title" and its other columns as string fields.</summary>
    public static Record FromProduct(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new Record(product.Id, new[] { (Key: ProductColumns.Title, Value: product.Title) }
            .Concat(product.Fields.Select(f => (f.Key, f.Value)))
            .ToDictionary(f => f.Key, f => JsonSerializer.SerializeToElement(f.Value), StringComparer.Ordinal));
    }

    /// <summary>The record as the engine's product (title = the "title" field), for text building and re-ranking.</summary>
    public Product ToProduct() => new(Id, Text(ProductColumns.Title),
        Fields.Keys.Where(k => k != ProductColumns.Title).ToDictionary(k => k, Text, StringComparer.Ordinal));

    /// <summary>The record without the given fields (private fields are never returned).</summary>
    public Record Without(IReadOnlyCollection<string> hidden) =>
        hidden.Count == 0 ? this : this with { Fields = Fields.Where(f => !hidden.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal) };
}
