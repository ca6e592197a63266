using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Search;

/// <summary>
/// The one search pipeline of the engine: first stage (BM25, dense or hybrid fusion), optional filter, optional
/// cross-encoder re-ranking. A built catalogue index and a live collection both run their searches through it.
/// </summary>
public static class SearchPipeline
{
    /// <summary>Ranks the catalogue held by <paramref name="keyword"/> and <paramref name="vectors"/> for a prepared query.</summary>
    /// <param name="prepared">The query after normalisation and spelling correction.</param>
    /// <param name="options">Method, depths, fusion and re-ranking; depths are capped at <paramref name="size"/>.</param>
    /// <param name="size">How many items the catalogue holds.</param>
    /// <param name="keyword">The BM25 index.</param>
    /// <param name="vectors">The vector index.</param>
    /// <param name="embedQuery">Embeds the prepared query (called at most once).</param>
    /// <param name="textOf">The text of an item, as the re-ranker reads it.</param>
    /// <param name="filter">Keeps only the items it accepts, before fusion and re-ranking; null keeps all.</param>
    /// <param name="cancellationToken">Stops between re-ranking batches.</param>
    public static IReadOnlyList<SearchHit> Run(string prepared, SearchOptions options, int size, Bm25Index keyword, IVectorIndex vectors,
        Func<string, float[]> embedQuery, Func<string, string> textOf, Func<string, bool>? filter = null,
        CancellationToken cancellationToken = default)
    {
        if (size == 0)
        {
            return [];
        }

        // Asking for more than the catalogue holds is asking for all of it; a filter looks at every candidate.
        options = options with
        {
            Top = Math.Min(options.Top, size),
            RerankDepth = Math.Min(options.RerankDepth, size),
            FusionDepth = filter is null ? Math.Min(options.FusionDepth, size) : size,
        };
        var firstStageTop = options.Reranker is null ? options.Top : Math.Max(options.Top, options.RerankDepth);
        var depth = filter is null ? firstStageTop : size;
        IReadOnlyList<SearchHit> hits = options.Method switch
        {
            SearchMethod.Bm25 => Keep(keyword.Search(prepared, depth), filter),
            SearchMethod.Dense => Keep(vectors.Search(embedQuery(prepared), depth), filter),
            _ => HybridFusion.Fuse(
                Keep(keyword.Search(prepared, Math.Max(depth, options.FusionDepth)), filter),
                Keep(vectors.Search(embedQuery(prepared), Math.Max(depth, options.FusionDepth)), filter),
                options.Fusion),
        };
        hits = hits.Take(firstStageTop).ToList();
        if (options.Reranker is { } reranker)
        {
            hits = Reranking.Rerank(prepared, hits, options.RerankDepth, reranker, textOf, options.RerankFirstStageWeight, cancellationToken);
        }

        return hits.Take(options.Top).ToList();
    }

    private static IReadOnlyList<SearchHit> Keep(IReadOnlyList<SearchHit> hits, Func<string, bool>? filter) =>
        filter is null ? hits : hits.Where(h => filter(h.ProductId)).ToList();
}
