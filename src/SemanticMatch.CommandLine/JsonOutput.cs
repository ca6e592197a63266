using System.Text.Encodings.Web;
using System.Text.Json;

namespace SemanticMatch.CommandLine;

/// <summary>JSON settings for everything the CLI prints or writes.</summary>
public static class JsonOutput
{
    /// <summary>Web defaults, indented, non-ASCII written as itself.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // non-ASCII text as itself, not \uXXXX; output is never embedded in HTML
    };

    /// <summary>Writes <paramref name="value"/> as JSON on standard output.</summary>
    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
