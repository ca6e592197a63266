using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Indexing;

/// <summary>Building the parts of an index and checking, when opening one, that its files agree.</summary>
public sealed partial class CatalogueIndex
{
    /// <summary>The vector index of <paramref name="embeddings"/> (products[i] has embeddings[i]) with the corpus's metric and index kind.</summary>
    internal static IVectorIndex BuildVectors(IReadOnlyList<Product> products, float[][] embeddings, int dimension, CatalogueIndexOptions options)
    {
        if (options.VectorIndex == VectorIndexKind.Hnsw)
        {
            var hnsw = new HnswVectorIndex(dimension, options.Metric, options.Hnsw);
            hnsw.AddRange(products.Select(p => p.Id).ToList(), embeddings);
            return hnsw;
        }

        var exact = new ExactVectorIndex(dimension, options.Metric);
        for (var i = 0; i < products.Count; i++)
        {
            exact.Add(products[i].Id, embeddings[i]);
        }

        return exact;
    }

    /// <summary>An in-memory keyword index of the products' texts, in the corpus's language.</summary>
    internal static Bm25Index BuildKeyword(IReadOnlyList<Product> products, CatalogueIndexOptions options) =>
        Fill(Bm25Index.CreateInMemory(options.Language), products, options.Text);

    private static Bm25Index Fill(Bm25Index keyword, IReadOnlyList<Product> products, ProductText text)
    {
        foreach (var product in products)
        {
            keyword.Upsert(product.Id, text.Of(product));
        }

        keyword.Commit();
        return keyword;
    }

    private static Dictionary<string, Product> ReadProducts(string directory, IndexManifest manifest)
    {
        var path = Path.Combine(directory, ProductsFile);
        try
        {
            var products = ProductReader.Read(path).Items.ToDictionary(p => p.Id, StringComparer.Ordinal);
            return products.Count == manifest.ProductCount
                ? products
                : throw Damaged(path, $"holds {products.Count} products, the manifest says {manifest.ProductCount}");
        }
        catch (InputFormatException e)
        {
            throw Damaged(path, e.Message);
        }
    }

    private static IVectorIndex LoadVectors(string directory, IndexManifest manifest)
    {
        var path = Path.Combine(directory, VectorsDir);
        try
        {
            return manifest.VectorIndex == VectorIndexKind.Hnsw ? HnswVectorIndex.Load(path) : ExactVectorIndex.Load(path);
        }
        catch (Exception e) when (e is VectorIndexException or IOException)
        {
            throw Damaged(path, e.Message);
        }
    }

    private static Bm25Index OpenKeyword(string directory, Core.Text.TextLanguage language)
    {
        var path = Path.Combine(directory, KeywordDir);
        try
        {
            return Bm25Index.OpenReadOnly(path, language);
        }
        catch (Exception e) when (e is IOException or KeywordIndexException or Lucene.Net.Index.CorruptIndexException or Lucene.Net.Index.IndexNotFoundException)
        {
            throw Damaged(path, e.Message);
        }
    }

    // Every product must have a vector and a keyword document; a mismatch means a file was cut short or replaced.
    private static void CheckAgreement(string directory, IndexManifest manifest, Dictionary<string, Product> products,
        IVectorIndex vectors, Bm25Index keyword)
    {
        var vectorsPath = Path.Combine(directory, VectorsDir);
        if (vectors.Count != products.Count)
        {
            throw Damaged(vectorsPath, $"holds {vectors.Count} vectors for {products.Count} products");
        }

        if (vectors.Dimension != manifest.Dimension)
        {
            throw Damaged(vectorsPath, $"holds {vectors.Dimension}-dimensional vectors, the manifest says {manifest.Dimension}");
        }

        var missing = products.Keys.FirstOrDefault(id => !vectors.Contains(id));
        if (missing is not null)
        {
            throw Damaged(vectorsPath, $"has no vector for product '{missing}'");
        }

        if (keyword.Count != products.Count)
        {
            throw Damaged(Path.Combine(directory, KeywordDir), $"holds {keyword.Count} documents for {products.Count} products");
        }
    }

    private static IndexMismatchException Damaged(string path, string problem) =>
        new($"index file {path} is damaged: {problem}; rebuild the index with 'semmatch index'");
}
