using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Indexing;

/// <summary>A product found by a search, with its 1-based rank and the method's score.</summary>
public sealed record RankedProduct(int Rank, Product Product, float Score);

/// <summary>
/// A searchable catalogue: the products, their embeddings in a vector index and their text in a BM25 index, built with
/// one encoder and one text configuration (recorded in <see cref="IndexManifest"/>). Held in memory or in a directory.
/// </summary>
/// <remarks>Searches may run concurrently.</remarks>
public sealed class CatalogueIndex : IDisposable
{
    private const string ManifestFile = "manifest.json";
    private const string ProductsFile = "products.jsonl";
    private const string VectorsDir = "vectors";
    private const string KeywordDir = "bm25";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly ITextEncoder _encoder;
    private readonly ProductText _text;

    private CatalogueIndex(IndexManifest manifest, IReadOnlyDictionary<string, Product> products, IVectorIndex vectors,
        Bm25Index keyword, ITextEncoder encoder)
    {
        Manifest = manifest;
        Products = products;
        Vectors = vectors;
        Keyword = keyword;
        _encoder = encoder;
        _text = new ProductText(manifest.Fields, manifest.Normalization);
    }

    /// <summary>What the index was built with.</summary>
    public IndexManifest Manifest { get; }

    /// <summary>Products by id.</summary>
    public IReadOnlyDictionary<string, Product> Products { get; }

    /// <summary>The vector index.</summary>
    public IVectorIndex Vectors { get; }

    /// <summary>The keyword index.</summary>
    public Bm25Index Keyword { get; }

    /// <summary>Embeds products with the text configuration of <paramref name="text"/>.</summary>
    public static float[][] Embed(IReadOnlyList<Product> products, ITextEncoder encoder, ProductText text,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        encoder.Encode(products.Select(text.Of).ToList(), TextRole.Document, progress, cancellationToken);

    /// <summary>
    /// Builds an index from products and their embeddings (from <see cref="Embed"/>), in memory when
    /// <paramref name="directory"/> is null, else written there (the directory must be empty or an older index).
    /// </summary>
    public static CatalogueIndex Build(IReadOnlyList<Product> products, float[][] embeddings, ITextEncoder encoder,
        CatalogueIndexOptions options, string? directory = null, string? source = null)
    {
        if (embeddings.Length != products.Count)
        {
            throw new ArgumentException($"{embeddings.Length} embeddings for {products.Count} products", nameof(embeddings));
        }

        var manifest = new IndexManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            ModelSource = options.ModelSource,
            ModelIdentity = encoder.Identity,
            Dimension = encoder.Dimension,
            Metric = options.Metric,
            VectorIndex = options.VectorIndex,
            Hnsw = options.VectorIndex == VectorIndexKind.Hnsw ? options.Hnsw : null,
            Fields = options.Text.Fields,
            Normalization = options.Text.Normalization,
            ProductCount = products.Count,
            Source = source,
        };
        if (directory is not null)
        {
            PrepareDirectory(directory);
        }

        IVectorIndex vectors;
        if (options.VectorIndex == VectorIndexKind.Hnsw)
        {
            var hnsw = new HnswVectorIndex(encoder.Dimension, options.Metric, options.Hnsw);
            hnsw.AddRange(products.Select(p => p.Id).ToList(), embeddings);
            vectors = hnsw;
        }
        else
        {
            vectors = new ExactVectorIndex(encoder.Dimension, options.Metric);
            for (var i = 0; i < products.Count; i++)
            {
                vectors.Add(products[i].Id, embeddings[i]);
            }
        }

        var keyword = directory is null ? Bm25Index.CreateInMemory() : Bm25Index.OpenWritable(Path.Combine(directory, KeywordDir));
        foreach (var product in products)
        {
            keyword.Upsert(product.Id, options.Text.Of(product));
        }

        keyword.Commit();
        var byId = products.ToDictionary(p => p.Id, StringComparer.Ordinal);
        if (directory is not null)
        {
            vectors.Save(Path.Combine(directory, VectorsDir));
            ProductWriter.WriteJsonLines(Path.Combine(directory, ProductsFile), products);
            File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, s_json)); // last: marks it complete
        }

        return new CatalogueIndex(manifest, byId, vectors, keyword, encoder);
    }

    /// <summary>Reads the manifest of an index directory (to learn which model to load).</summary>
    /// <exception cref="IndexMismatchException">Not an index directory.</exception>
    public static IndexManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw new IndexMismatchException($"'{directory}' is not a SemanticMatch index (no {ManifestFile}); build one with 'semmatch index'");
        }

        try
        {
            var manifest = JsonSerializer.Deserialize<IndexManifest>(File.ReadAllText(path), s_json);
            return manifest is { Format: IndexManifest.CurrentFormat }
                ? manifest
                : throw new IndexMismatchException($"{path}: unsupported index format '{manifest?.Format}'; rebuild the index");
        }
        catch (JsonException e)
        {
            throw new IndexMismatchException($"{path}: damaged manifest ({e.Message}); rebuild the index");
        }
    }

    /// <summary>Opens an index directory for searching with <paramref name="encoder"/>, which must be the model it was built with.</summary>
    /// <exception cref="IndexMismatchException">Not an index, or built with another model.</exception>
    public static CatalogueIndex Open(string directory, ITextEncoder encoder)
    {
        var manifest = ReadManifest(directory);
        if (manifest.ModelIdentity != encoder.Identity)
        {
            throw new IndexMismatchException(
                $"index '{directory}' was built with model {manifest.ModelIdentity} (from '{manifest.ModelSource}'), " +
                $"but the model given is {encoder.Identity}; search with --model {manifest.ModelSource} or rebuild the index");
        }

        var vectorsPath = Path.Combine(directory, VectorsDir);
        IVectorIndex vectors = manifest.VectorIndex == VectorIndexKind.Hnsw
            ? HnswVectorIndex.Load(vectorsPath)
            : ExactVectorIndex.Load(vectorsPath);
        var products = ProductReader.Read(Path.Combine(directory, ProductsFile)).Items.ToDictionary(p => p.Id, StringComparer.Ordinal);
        return new CatalogueIndex(manifest, products, vectors, Bm25Index.OpenReadOnly(Path.Combine(directory, KeywordDir)), encoder);
    }

    /// <summary>The normalised form of a query under this index's text configuration.</summary>
    public string NormalizeQuery(string query) => _text.OfQuery(query);

    /// <summary>The query as searched: normalised, then spell-corrected against the catalogue when asked.</summary>
    /// <exception cref="ArgumentException">Nothing is left of the query after normalisation.</exception>
    public string PrepareQuery(string query, bool spellCorrection)
    {
        var normalized = NormalizeQuery(query);
        if (normalized.Length == 0)
        {
            throw new ArgumentException("the query is empty", nameof(query));
        }

        return spellCorrection ? Keyword.CorrectSpelling(normalized) : normalized;
    }

    /// <summary>Embeds a query prepared by <see cref="PrepareQuery"/>.</summary>
    public float[] EmbedQuery(string preparedQuery) => _encoder.EncodeOne(preparedQuery, TextRole.Query);

    /// <summary>Searches the catalogue; with a re-ranker, the top <see cref="SearchOptions.RerankDepth"/> first-stage results are re-scored.</summary>
    public IReadOnlyList<RankedProduct> Search(string query, SearchOptions options)
    {
        var prepared = PrepareQuery(query, options.SpellCorrection);
        var firstStage = options with { Top = options.Reranker is null ? options.Top : Math.Max(options.Top, options.RerankDepth) };
        IReadOnlyList<SearchHit> hits = firstStage.Method switch
        {
            SearchMethod.Bm25 => Keyword.Search(prepared, firstStage.Top),
            SearchMethod.Dense => Vectors.Search(EmbedQuery(prepared), firstStage.Top),
            _ => SearchHybrid(prepared, EmbedQuery(prepared), firstStage),
        };
        if (options.Reranker is { } reranker)
        {
            hits = Reranking.Rerank(prepared, hits, options.RerankDepth, reranker, id => _text.Of(Products[id]), options.RerankFirstStageWeight);
        }

        return hits.Take(options.Top).Select((h, i) => new RankedProduct(i + 1, Products[h.ProductId], h.Score)).ToList();
    }

    /// <summary>Hybrid retrieval with a query that is already prepared and embedded.</summary>
    public IReadOnlyList<SearchHit> SearchHybrid(string preparedQuery, float[] queryVector, SearchOptions options)
    {
        var depth = Math.Max(options.Top, options.FusionDepth);
        return HybridFusion.Fuse(Keyword.Search(preparedQuery, depth), Vectors.Search(queryVector, depth), options.Fusion)
            .Take(options.Top)
            .ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Vectors.Dispose();
        Keyword.Dispose();
    }

    private static void PrepareDirectory(string directory)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            if (!File.Exists(Path.Combine(directory, ManifestFile)))
            {
                throw new IndexMismatchException($"'{directory}' is not empty and is not a SemanticMatch index; choose an empty directory");
            }

            // Replace an older index completely.
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
    }
}
