using SemanticMatch.CommandLine;
using System.Security.Cryptography;
using System.Text;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>
/// The bundled demo catalogue (335 home-improvement products written for this project) and its index, built on first use
/// in the cache directory next to the model store and rebuilt when the model changes.
/// </summary>
internal static class DemoCatalogue
{
    /// <summary>The demo products file shipped next to the executable.</summary>
    public static string ProductsPath => Path.Combine(AppContext.BaseDirectory, "Demo", "products.csv");

    /// <summary>Hand-made judgments for the demo catalogue (for trying 'semmatch eval').</summary>
    public static string JudgmentsPath => Path.Combine(AppContext.BaseDirectory, "Demo", "judgments.csv");

    /// <summary>Opens the demo index for <paramref name="encoder"/>, building it first when missing or built with another model.</summary>
    public static CatalogueIndex Open(OnnxEncoder encoder, string modelSource, CancellationToken cancellationToken)
    {
        var directory = IndexDirectory(modelSource);
        try
        {
            return CatalogueIndex.Open(directory, encoder);
        }
        catch (IndexMismatchException)
        {
            var products = Inputs.Products(ProductsPath, new());
            var options = new CatalogueIndexOptions { ModelSource = modelSource };
            var embeddings = SpectreProgressSink.Run(sink => CatalogueIndex.Embed(products, encoder, options.Text,
                sink.Begin($"indexing the demo catalogue ({products.Count} products, first run only)", products.Count), cancellationToken));
            return CatalogueIndex.Build(products, embeddings, encoder, options, directory, ProductsPath);
        }
    }

    private static string IndexDirectory(string modelSource)
    {
        var name = BundledModels.All.Any(m => m.Key == modelSource)
            ? modelSource
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(modelSource))))[..16];
        return Path.Combine(Path.GetDirectoryName(BundledModels.DefaultStore())!, "demo-index", name);
    }
}
