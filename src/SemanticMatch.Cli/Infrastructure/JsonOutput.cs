using System.Text.Json;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>JSON settings for everything the CLI prints or writes.</summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Print<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
