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

        options = Capped(options, size);
        var firstStageTop = FirstStageTop(options, size);
        var depth = ListDepth(options, size);
        float[]? queryVector = null;
        IReadOnlyList<SearchHit> hits = options.Method switch
        {
            SearchMethod.Bm25 => retrieval.Keyword(prepared, depth),
            SearchMethod.Dense => Dense(depth),
            _ => HybridFusion.Fuse(retrieval.Keyword(prepared, depth), Dense(depth), options.Fusion),
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

    /// <summary>
    /// How deep <see cref="Run"/> reads each first-stage list (keyword, dense): the first stage's hits (those asked, or
    /// the re-ranker's or learned ranker's depth when deeper), and at least the fusion depth for hybrid searches.
    /// </summary>
    /// <param name="options">The search's options.</param>
    /// <param name="size">How many items the catalogue holds (no list is deeper).</param>
    public static int ListDepth(SearchOptions options, int size)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = Capped(options, size);
        var firstStageTop = FirstStageTop(options, size);
        return options.Method == SearchMethod.Hybrid ? Math.Max(firstStageTop, options.FusionDepth) : firstStageTop;
    }

    // Asking for more than the catalogue holds is asking for all of it.
    private static SearchOptions Capped(SearchOptions options, int size) => options with
    {
        Top = Math.Min(options.Top, size),
        RerankDepth = Math.Min(options.RerankDepth, size),
        FusionDepth = Math.Min(options.FusionDepth, size),
    };

    // The hits the first stage keeps: those asked, or the second stage's depth when deeper (options capped).
    private static int FirstStageTop(SearchOptions options, int size)
    {
        var secondStageDepth = options.Ranker is { } learned ? Math.Min(learned.Depth, size) : options.RerankDepth;
        return options.Reranker is null && options.Ranker is null ? options.Top : Math.Max(options.Top, secondStageDepth);
    }
}
