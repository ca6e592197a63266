using System.Text.Encodings.Web;
using System.Text.Json;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>JSON settings for everything the CLI prints or writes.</summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // non-ASCII text as itself, not \uXXXX; output is never embedded in HTML
    };

    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
