using SemanticMatch.Collections;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Server.Hosting;

/// <summary>Loads the bundled demo catalogue as collection "demo" the first time a data directory is used.</summary>
internal static class DemoCollection
{
    private const string Name = "demo";
    private const string Marker = ".initialised";

    public static async Task EnsureAsync(EmbeddedCollectionStore store, string dataDirectory, string? products, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(dataDirectory, Marker);
        if (File.Exists(marker) || !store.IsEmpty || products is null)
        {
            await File.WriteAllTextAsync(marker, string.Empty, cancellationToken);
            return;
        }

        await store.CreateAsync(Name, new CollectionSettings { Model = "minilm", Fields = ["title"] }, cancellationToken);
        var records = ProductReader.Read(products).Items.Select(p => new Record(p.Id,
            new[] { ("title", p.Title) }.Concat(p.Fields.Select(f => (f.Key, f.Value)))
                .ToDictionary(f => f.Item1, f => System.Text.Json.JsonSerializer.SerializeToElement(f.Item2), StringComparer.Ordinal))).ToList();
        foreach (var batch in records.Chunk(500))
        {
            await store.UpsertAsync(Name, batch, cancellationToken);
        }

        await File.WriteAllTextAsync(marker, string.Empty, cancellationToken);
    }
}
