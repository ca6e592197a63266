using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticMatch.Index.Vectors;

/// <summary>Small helpers shared by the persisted indexes: JSON files with clear errors, dimension checks.</summary>
internal static class IndexFiles
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static T ReadJson<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), s_json)
                ?? throw new VectorIndexException($"{path}: empty");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new VectorIndexException($"{path}: cannot read index file: {e.Message}");
        }
    }

    public static void WriteJson<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, s_json));

    public static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VectorIndexException($"{path}: cannot read index file: {e.Message}");
        }
    }

    public static void CheckDimension(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new VectorIndexException($"vector has {actual} dimensions but the index holds {expected}-dimensional vectors");
        }
    }
}
