using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Collections;

namespace SemanticMatch.Server.Api;

/// <summary>
/// A record as the API shows it, <c>{"id": "p1", "title": "...", ...}</c>, written straight from its fields (no
/// intermediate document per hit).
/// </summary>
internal sealed class RecordJson : JsonConverter<Record>
{
    public static HitResponse Hit(CollectionHit hit) => new(hit.Rank, hit.Record.Id, hit.Score, hit.Record, hit.Explanation, hit.Probability, hit.Highlights);

    public override Record Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return Record.FromJson(document.RootElement, "record");
    }

    public override void Write(Utf8JsonWriter writer, Record value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString(Record.IdProperty, value.Id);
        foreach (var (name, field) in value.Fields)
        {
            writer.WritePropertyName(name);
            field.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
