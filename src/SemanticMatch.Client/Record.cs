using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticMatch.Client;

/// <summary>
/// A record as the service stores it: an id and fields whose values are strings, numbers (<see cref="double"/>),
/// booleans or null. Written and read as <c>{"id": "p1", "title": "...", "price": 9.5}</c>.
/// </summary>
[JsonConverter(typeof(RecordConverter))]
public sealed class Record
{
    /// <summary>Creates a record with no fields yet.</summary>
    public Record(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>The record's id, unique in its collection.</summary>
    public string Id { get; }

    /// <summary>The fields by name; values are <see cref="string"/>, <see cref="double"/>, <see cref="bool"/> or null.</summary>
    public IDictionary<string, object?> Fields { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>A field's value, or null when the record does not have it.</summary>
    public object? this[string field]
    {
        get => Fields.TryGetValue(field, out var value) ? value : null;
        set => Fields[field] = value;
    }
}

/// <summary>Reads and writes a record as one flat JSON object; refuses values that are not scalars.</summary>
internal sealed class RecordConverter : JsonConverter<Record>
{
    public override Record Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("a record is an object with a string \"id\"");
        }

        var record = new Record(id.GetString()!);
        foreach (var field in root.EnumerateObject().Where(f => f.Name != "id"))
        {
            record.Fields[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.String => field.Value.GetString(),
                JsonValueKind.Number => field.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw new JsonException($"record '{record.Id}', field '{field.Name}': not a string, number, boolean or null"),
            };
        }

        return record;
    }

    public override void Write(Utf8JsonWriter writer, Record value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("id", value.Id);
        foreach (var (name, field) in value.Fields)
        {
            writer.WritePropertyName(name);
            switch (field)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case double number:
                    writer.WriteNumberValue(number);
                    break;
                case float number:
                    writer.WriteNumberValue(number);
                    break;
                case decimal number:
                    writer.WriteNumberValue(number);
                    break;
                case ulong number:
                    writer.WriteNumberValue(number);
                    break;
                case int or long or short or byte or uint or ushort or sbyte:
                    writer.WriteNumberValue(Convert.ToInt64(field, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new JsonException($"record '{value.Id}', field '{name}': a {field.GetType().Name} is not a string, number, boolean or null");
            }
        }

        writer.WriteEndObject();
    }
}
