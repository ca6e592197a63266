using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Indexing;

namespace SemanticMatch.Engine.Search;

/// <summary>
/// The one search pipeline of the engine: first stage (BM25, dense or hybrid fusion), optional filter, optional
/// cross-encoder re-ranking or a learned ranker (which reads the cross-encoder's scores among its signals). A built catalogue index and a live collection both run their searches through it.
/// </summary>
public static class SearchPipeline
{
    /// <summary>Ranks the catalogue behind <paramref name="retrieval"/> for a prepared query.</summary>
    /// <param name="prepared">The query after normalisation and spelling correction.</param>
    /// <param name="options">Method, depths, fusion and re-ranking; depths are capped at <paramref name="size"/>.</param>
    /// <param name="size">How many items the catalogue holds.</param>
    /// <param name="retrieval">BM25 and vector retrieval, each under the search's filter (so each returns its best accepted items).</param>
    /// <param name="embedQuery">Embeds the prepared query (called at most once).</param>
    /// <param name="textOf">The text of an item, as the re-ranker reads it.</param>
    /// <param name="normalized">The query before spelling correction (null = <paramref name="prepared"/>); a learned ranker reads whether it was corrected.</param>
    /// <param name="cancellationToken">Stops between re-ranking batches.</param>
    public static IReadOnlyList<SearchHit> Run(string prepared, SearchOptions options, int size, IRetrieval retrieval,
        Func<string, float[]> embedQuery, Func<string, string> textOf, string? normalized = null, CancellationToken cancellationToken = default)
    {
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"search options: {problem}");
        }

        if (size == 0)
        {
            return [];
        }

        // Asking for more than the catalogue holds is asking for all of it.
        options = options with
        {
            Top = Math.Min(options.Top, size),
            RerankDepth = Math.Min(options.RerankDepth, size),
            FusionDepth = Math.Min(options.FusionDepth, size),
        };
        var secondStageDepth = options.Ranker is { } learned ? Math.Min(learned.Depth, size) : options.RerankDepth;
        var firstStageTop = options.Reranker is null && options.Ranker is null ? options.Top : Math.Max(options.Top, secondStageDepth);
        float[]? queryVector = null;
        IReadOnlyList<SearchHit> hits = options.Method switch
        {
            SearchMethod.Bm25 => retrieval.Keyword(prepared, firstStageTop),
            SearchMethod.Dense => Dense(firstStageTop),
            _ => HybridFusion.Fuse(
                retrieval.Keyword(prepared, Math.Max(firstStageTop, options.FusionDepth)),
                Dense(Math.Max(firstStageTop, options.FusionDepth)),
                options.Fusion),
        };
        hits = hits.Take(firstStageTop).ToList();
        if (options.Ranker is { } ranker)
        {
            hits = RankingStage.Rank(normalized ?? prepared, prepared, hits, ranker, options.Reranker, retrieval, QueryVector(), textOf, cancellationToken);
        }
        else if (options.Reranker is { } reranker)
        {
            hits = Reranking.Rerank(prepared, hits, options.RerankDepth, reranker, textOf, options.RerankFirstStageWeight, cancellationToken);
        }

        return hits.Take(options.Top).ToList();

        IReadOnlyList<SearchHit> Dense(int k) => retrieval.Dense(QueryVector(), k);

        float[] QueryVector() => queryVector ??= embedQuery(prepared);
    }
}
