using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Loads the ready-made collections the first time a data directory is used: the demo catalogue ("demo"), a
/// customer-service FAQ ("faq": a question finds its entry, or none under a minimum score), ads ("ads": shown
/// only above a threshold) and a Chinese catalogue ("demo-zh").
/// </summary>
internal static class DemoCollection
{
    public static async Task EnsureAsync(ICollectionStore store, string? folder, CancellationToken cancellationToken)
    {
        if (!await store.FirstUseAsync(cancellationToken) || folder is null)
        {
            return;
        }

        var products = ProductReader.Read(Path.Combine(folder, "products.csv")).Items.Select(Record.FromProduct).ToList();
        await LoadAsync(store, "demo", new CollectionSettings { Model = ModelNames.Default, Fields = ["title"] }, products, cancellationToken);
        await LoadAsync(store, "faq", new CollectionSettings { Model = ModelNames.Default, Fields = ["question"] },
            ReadRecords(Path.Combine(folder, "faq.jsonl")), cancellationToken);
        await LoadAsync(store, "ads", new CollectionSettings { Model = ModelNames.Default, Fields = ["title", "keywords"] },
            ReadRecords(Path.Combine(folder, "ads.jsonl")), cancellationToken);
        // Chinese products: keyword search segments them (language auto: each text by its script); the bundled encoder
        // knows few Chinese characters, so hybrid leans on BM25 here.
        await LoadAsync(store, "demo-zh", new CollectionSettings { Model = ModelNames.Default, Fields = ["title", "category"] },
            ProductReader.Read(Path.Combine(folder, "products-zh.csv")).Items.Select(Record.FromProduct).ToList(), cancellationToken);
    }

    private static async Task LoadAsync(ICollectionStore store, string name, CollectionSettings settings, IReadOnlyList<Record> records,
        CancellationToken cancellationToken)
    {
        await store.CreateAsync(name, settings, cancellationToken);
        await BulkLoader.LoadAsync(store, name, records, cancellationToken: cancellationToken);
    }

    // One API record per line, as POST /v1/collections/{name}/records takes them.
    private static List<Record> ReadRecords(string path) =>
        File.ReadLines(path)
            .Select((line, i) => (line, i))
            .Where(x => !string.IsNullOrWhiteSpace(x.line))
            .Select(x => Record.FromJson(JsonDocument.Parse(x.line).RootElement.Clone(), $"{path}:{x.i + 1}"))
            .ToList();
}
