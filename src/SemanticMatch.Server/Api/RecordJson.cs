using System.Text.Json;
using SemanticMatch.Collections;

namespace SemanticMatch.Server.Api;

/// <summary>A record as the API shows it: <c>{"id": "p1", "title": "...", ...}</c>.</summary>
internal static class RecordJson
{
    public static JsonElement ToElement(Record record)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(Record.IdProperty, record.Id);
            foreach (var (name, value) in record.Fields)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    public static HitResponse Hit(CollectionHit hit) => new(hit.Rank, hit.Record.Id, hit.Score, ToElement(hit.Record), hit.Explanation, hit.Probability);
}
