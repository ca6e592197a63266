using System.Text.Json;
using SemanticMatch.Collections.Storage;

namespace SemanticMatch.Collections.Embedded;

/// <summary>A small name-to-value map kept as one JSON file, replaced atomically (temporary file, fsync, rename): aliases, experiments.</summary>
internal static class JsonMapFile
{
    /// <summary>The map in <paramref name="path"/>, or an empty one when the file is not there.</summary>
    /// <exception cref="InvalidDataException">The file is not such a map; <paramref name="shape"/> says what it should hold.</exception>
    public static Dictionary<string, T> Load<T>(string path, string shape)
    {
        if (!File.Exists(path))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            return new(JsonSerializer.Deserialize<Dictionary<string, T>>(File.ReadAllBytes(path)) ?? throw new JsonException("null"), StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid ({e.Message}): {shape}", e);
        }
    }

    /// <summary>Replaces the file with <paramref name="map"/>.</summary>
    /// <exception cref="StorageFaultException">The storage refused it; the file is unchanged (<paramref name="what"/> names the map in the message).</exception>
    public static void Save<T>(IStorageFiles files, string path, Dictionary<string, T> map, string what)
    {
        try
        {
            DurableFiles.Replace(files, path, s => JsonSerializer.Serialize(s, map));
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            throw new StorageFaultException($"the {what} could not be saved ({e.Message}); they are unchanged", e);
        }
    }
}
