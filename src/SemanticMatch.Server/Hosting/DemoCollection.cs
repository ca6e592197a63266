using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Loads the ready-made collections the first time a data directory is used: the demo catalogue ("demo"), a
/// customer-service FAQ ("faq": a question finds its entry, or none under a minimum score) and ads ("ads": shown
/// only above a threshold).
/// </summary>
internal static class DemoCollection
{
    private const string Marker = ".initialised";

    public static async Task EnsureAsync(EmbeddedCollectionStore store, string dataDirectory, string? folder, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(dataDirectory, Marker);
        if (File.Exists(marker) || !store.IsEmpty || folder is null)
        {
            await File.WriteAllTextAsync(marker, string.Empty, cancellationToken);
            return;
        }

        var products = ProductReader.Read(Path.Combine(folder, "products.csv")).Items.Select(p => new Record(p.Id,
            new[] { ("title", p.Title) }.Concat(p.Fields.Select(f => (f.Key, f.Value)))
                .ToDictionary(f => f.Item1, f => JsonSerializer.SerializeToElement(f.Item2), StringComparer.Ordinal))).ToList();
        await LoadAsync(store, "demo", new CollectionSettings { Model = "minilm", Fields = ["title"] }, products, cancellationToken);
        await LoadAsync(store, "faq", new CollectionSettings { Model = "minilm", Fields = ["question"] },
            ReadRecords(Path.Combine(folder, "faq.jsonl")), cancellationToken);
        await LoadAsync(store, "ads", new CollectionSettings { Model = "minilm", Fields = ["title", "keywords"] },
            ReadRecords(Path.Combine(folder, "ads.jsonl")), cancellationToken);
        await File.WriteAllTextAsync(marker, string.Empty, cancellationToken);
    }

    private static async Task LoadAsync(EmbeddedCollectionStore store, string name, CollectionSettings settings, IReadOnlyList<Record> records,
        CancellationToken cancellationToken)
    {
        await store.CreateAsync(name, settings, cancellationToken);
        foreach (var batch in records.Chunk(500))
        {
            await store.UpsertAsync(name, batch, cancellationToken);
        }
    }

    // One API record per line, as POST /v1/collections/{name}/records takes them.
    private static List<Record> ReadRecords(string path) =>
        File.ReadLines(path)
            .Select((line, i) => (line, i))
            .Where(x => !string.IsNullOrWhiteSpace(x.line))
            .Select(x => Record.FromJson(JsonDocument.Parse(x.line).RootElement.Clone(), $"{path}:{x.i + 1}"))
            .ToList();
}
