using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Search;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Indexing;

/// <summary>A product found by a search, with its 1-based rank and the method's score.</summary>
/// <param name="Rank">1-based position.</param>
/// <param name="Product">The product.</param>
/// <param name="Score">The method's score.</param>
/// <param name="Probability">Calibrated probability of relevance when a learned ranker scored it; else null.</param>
public sealed record RankedProduct(int Rank, Product Product, float Score, float? Probability = null);

/// <summary>
/// A searchable catalogue: the products, their embeddings in a vector index and their text in a BM25 index, built with
/// one encoder and one text configuration (recorded in <see cref="IndexManifest"/>). Held in memory or in a directory.
/// </summary>
/// <remarks>Searches may run concurrently.</remarks>
public sealed partial class CatalogueIndex : IDisposable
{
    internal const string ManifestFile = "manifest.json";
    internal const string ProductsFile = "products.jsonl";
    internal const string VectorsDir = "vectors";
    internal const string KeywordDir = "bm25";

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
    /// <paramref name="directory"/> is null, else written there atomically (see <see cref="Write"/>) and opened.
    /// </summary>
    /// <exception cref="IndexMismatchException">The directory holds something other than an index.</exception>
    public static CatalogueIndex Build(IReadOnlyList<Product> products, float[][] embeddings, ITextEncoder encoder,
        CatalogueIndexOptions options, string? directory = null, string? source = null)
    {
        var manifest = ManifestOf(products, embeddings, encoder, options, source);
        if (directory is null)
        {
            return new CatalogueIndex(manifest, products.ToDictionary(p => p.Id, StringComparer.Ordinal),
                BuildVectors(products, embeddings, encoder.Dimension, options), BuildKeyword(products, options), encoder);
        }

        WriteFolder(directory, manifest, products, embeddings, encoder, options);
        return Open(directory, encoder);
    }

    /// <summary>
    /// Writes an index of products and their embeddings to <paramref name="directory"/> atomically, without opening it:
    /// the directory must be absent, empty or an older index, which is replaced only once the new one is complete
    /// (see <see cref="CheckTarget"/>).
    /// </summary>
    /// <exception cref="IndexMismatchException">The directory holds something other than an index.</exception>
    public static void Write(IReadOnlyList<Product> products, float[][] embeddings, ITextEncoder encoder, CatalogueIndexOptions options,
        string directory, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        WriteFolder(directory, ManifestOf(products, embeddings, encoder, options, source), products, embeddings, encoder, options);
    }

    // Checks the inputs and describes the index they make.
    private static IndexManifest ManifestOf(IReadOnlyList<Product> products, float[][] embeddings, ITextEncoder encoder, CatalogueIndexOptions options,
        string? source)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"index options: {problem}");
        }

        if (embeddings.Length != products.Count)
        {
            throw new ArgumentException($"{embeddings.Length} embeddings for {products.Count} products", nameof(embeddings));
        }

        if (products.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count() != products.Count)
        {
            throw new ArgumentException("product ids must be unique", nameof(products));
        }

        return new IndexManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            ModelSource = options.ModelSource,
            ModelIdentity = encoder.Identity,
            Pooling = options.Pooling,
            Dimension = encoder.Dimension,
            Metric = options.Metric,
            VectorIndex = options.VectorIndex,
            Hnsw = options.VectorIndex == VectorIndexKind.Hnsw ? options.Hnsw : null,
            Fields = options.Text.Fields,
            Normalization = options.Text.Normalization,
            Language = options.Language,
            ProductCount = products.Count,
            Source = source,
        };
    }

    private static void WriteFolder(string directory, IndexManifest manifest, IReadOnlyList<Product> products, float[][] embeddings, ITextEncoder encoder,
        CatalogueIndexOptions options) =>
        OwnedFolder.Write(directory, s_folderKind, staging =>
        {
            using (var vectors = BuildVectors(products, embeddings, encoder.Dimension, options))
            {
                vectors.Save(Path.Combine(staging, VectorsDir));
            }

            using (Fill(Bm25Index.OpenWritable(Path.Combine(staging, KeywordDir), options.Language), products, options.Text))
            {
            }

            ProductWriter.WriteJsonLines(Path.Combine(staging, ProductsFile), products);
            File.WriteAllText(Path.Combine(staging, ManifestFile), JsonSerializer.Serialize(manifest, s_json)); // last: marks it complete
        });

    /// <summary>
    /// Throws unless <paramref name="directory"/> can receive an index: absent, empty, or an index of ours (which
    /// <see cref="Build"/> replaces). Check it before slow work such as embedding.
    /// </summary>
    /// <exception cref="IndexMismatchException">It is a file, or a folder holding anything but an index.</exception>
    public static void CheckTarget(string directory) => OwnedFolder.CheckTarget(directory, s_folderKind);

    // What an index directory holds; a folder with anything else is not ours to replace.
    private static readonly OwnedFolderKind s_folderKind = new("index",
        new HashSet<string>(StringComparer.Ordinal) { ManifestFile, ProductsFile, VectorsDir, KeywordDir }, ManifestFile,
        directory => ReadManifest(directory), message => new IndexMismatchException(message));

    /// <summary>
    /// Reads the manifest of an index directory (to learn which model to load); first restores the previous index when a
    /// rebuild was killed between its two renames.
    /// </summary>
    /// <exception cref="IndexMismatchException">Not an index directory.</exception>
    public static IndexManifest ReadManifest(string directory)
    {
        OwnedFolder.Recover(directory, s_folderKind);
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
    /// <exception cref="IndexMismatchException">Not an index, or damaged.</exception>
    /// <exception cref="IndexModelMismatchException">Built with another model.</exception>
    public static CatalogueIndex Open(string directory, ITextEncoder encoder)
    {
        var manifest = ReadManifest(directory);
        if (manifest.ModelIdentity != encoder.Identity)
        {
            var pooling = manifest.Pooling is null ? string.Empty : $", pooling {manifest.Pooling}";
            throw new IndexModelMismatchException(
                $"index '{directory}' was built with model {manifest.ModelIdentity} (from '{manifest.ModelSource}'{pooling}), " +
                $"but the model given is {encoder.Identity}; open it with that model or rebuild the index", manifest.ModelSource, manifest.Pooling);
        }

        var products = ReadProducts(directory, manifest);
        var vectors = LoadVectors(directory, manifest);
        try
        {
            var keyword = OpenKeyword(directory, manifest.Language);
            try
            {
                CheckAgreement(directory, manifest, products, vectors, keyword);
                return new CatalogueIndex(manifest, products, vectors, keyword, encoder);
            }
            catch
            {
                keyword.Dispose();
                throw;
            }
        }
        catch
        {
            vectors.Dispose();
            throw;
        }
    }

    /// <summary>The normalised form of a query under this index's text configuration.</summary>
    public string NormalizeQuery(string query) => _text.OfQuery(query);

    /// <summary>The query as searched: normalised, then spell-corrected against the catalogue when asked.</summary>
    /// <exception cref="InvalidRequestException">No letter or digit is left of the query after normalisation.</exception>
    public string PrepareQuery(string query, bool spellCorrection)
    {
        var normalized = QueryPreparation.Normalize(query, _text);
        return spellCorrection ? new IndexRetrieval(Keyword, Vectors).CorrectSpelling(normalized) : normalized;
    }

    /// <summary>Searches the catalogue; with a re-ranker, the top <see cref="SearchOptions.RerankDepth"/> first-stage results are re-scored.</summary>
    /// <exception cref="InvalidRequestException">Broken options, or the query has nothing to match.</exception>
    public async Task<IReadOnlyList<RankedProduct>> SearchAsync(string query, SearchOptions options, CancellationToken cancellationToken = default)
    {
        var run = await RunAsync(query, options, explain: false, cancellationToken).ConfigureAwait(false);
        return run.Hits.Select((h, i) => new RankedProduct(i + 1, Products[h.ProductId], h.Score, h.Probability)).ToList();
    }

    /// <summary>Why <paramref name="productId"/> matches <paramref name="query"/> under <paramref name="options"/> (see <see cref="HitExplainer"/>).</summary>
    /// <exception cref="InvalidRequestException">The product is not in the catalogue, or the query has nothing to match.</exception>
    public async Task<HitExplanation> ExplainAsync(string query, string productId, SearchOptions options, CancellationToken cancellationToken = default) =>
        (await ExplainAsync(query, [productId], options, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Why each of <paramref name="productIds"/> matches <paramref name="query"/>, the query's side worked out once.</summary>
    /// <exception cref="InvalidRequestException">A product is not in the catalogue, or the query has nothing to match.</exception>
    public async Task<IReadOnlyList<HitExplanation>> ExplainAsync(string query, IReadOnlyList<string> productIds, SearchOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(productIds);
        if (productIds.FirstOrDefault(id => !Products.ContainsKey(id)) is { } missing)
        {
            throw new InvalidRequestException($"product '{missing}' is not in this index");
        }

        var run = await RunAsync(query, options, explain: true, cancellationToken).ConfigureAwait(false);
        var explainer = HitExplainer.ForRun(run, options, new IndexRetrieval(Keyword, Vectors), _encoder, cancellationToken);
        var explanations = new List<HitExplanation>(productIds.Count);
        foreach (var id in productIds)
        {
            explanations.Add(await explainer.ExplainAsync(id, _text.Of(Products[id]), cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        return explanations;
    }

    private async ValueTask<SearchRun> RunAsync(string query, SearchOptions options, bool explain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"search options: {problem}");
        }

        var normalized = QueryPreparation.Normalize(query, _text);
        var retrieval = new IndexRetrieval(Keyword, Vectors);
        var prepared = await QueryPreparation.PrepareAsync(normalized, options.SpellCorrection, retrieval, cancellationToken).ConfigureAwait(false);
        return await SearchPipeline.RunAsync(prepared, options, Products.Count, retrieval, _encoder, TextsOf, normalized, explain,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<IReadOnlyList<string>> TextsOf(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(ids.Select(id => _text.Of(Products[id])).ToList());

    /// <inheritdoc />
    public void Dispose()
    {
        Vectors.Dispose();
        Keyword.Dispose();
    }
}
