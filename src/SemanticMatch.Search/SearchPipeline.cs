using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;

namespace SemanticMatch.Search;

/// <summary>The texts of items by id, as the re-ranker reads them; result[i] belongs to ids[i] ("" for an item gone meanwhile).</summary>
/// <param name="ids">The items.</param>
/// <param name="cancellationToken">Cancels the lookup.</param>
public delegate ValueTask<IReadOnlyList<string>> ItemTexts(IReadOnlyList<string> ids, CancellationToken cancellationToken);

/// <summary>
/// The one search pipeline of the engine: first stage (BM25, dense or hybrid fusion) under the retrieval's filter,
/// then optional cross-encoder re-ranking or a learned ranker (which reads the cross-encoder's scores among its
/// signals). Index folders and both collection stores run their searches through it; it alone decides how deep each
/// retrieval list is read (<see cref="ListDepth"/>).
/// </summary>
public static class SearchPipeline
{
    /// <summary>Ranks the catalogue behind <paramref name="retrieval"/> for a prepared query.</summary>
    /// <param name="prepared">The query after normalisation and spelling correction.</param>
    /// <param name="options">Method, depths, fusion and re-ranking (checked by the caller, at the edge); depths are capped at <paramref name="size"/>.</param>
    /// <param name="size">How many items the catalogue holds.</param>
    /// <param name="retrieval">BM25 and vector retrieval, each under the search's filter (so each returns its best accepted items).</param>
    /// <param name="encoder">Embeds the prepared query (at most once).</param>
    /// <param name="textsOf">The texts of items, as the re-ranker reads them.</param>
    /// <param name="normalized">The query before spelling correction (null = <paramref name="prepared"/>); a learned ranker reads whether it was corrected.</param>
    /// <param name="explain">Also read both lists as deep as explanations need (<see cref="HitExplainer"/> reuses them and the query vector).</param>
    /// <param name="queryVector">The prepared query's embedding when the caller has made it already (an evaluation timing it apart); null = embed it here.</param>
    /// <param name="cancellationToken">Stops between stages, and between encoder and re-ranking batches.</param>
    public static async ValueTask<SearchRun> RunAsync(string prepared, SearchOptions options, int size, IRetrieval retrieval, ITextEncoder encoder,
        ItemTexts textsOf, string? normalized = null, bool explain = false, float[]? queryVector = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(retrieval);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(textsOf);
        cancellationToken.ThrowIfCancellationRequested();
        if (size == 0)
        {
            return new SearchRun(prepared, [], [], explain ? [] : null, explain ? [] : null, queryVector);
        }

        options = Capped(options, size);
        var firstStageTop = FirstStageTop(options, size);
        var depth = ListDepth(options, size, explain);
        var needsKeyword = explain || options.Method != SearchMethod.Dense;
        var needsDense = explain || options.Method != SearchMethod.Bm25 || options.Ranker is not null;

        // The keyword list is asked for first, so a database works on it while the query is embedded here.
        var keywordPending = needsKeyword ? retrieval.KeywordAsync(prepared, depth, cancellationToken).AsTask() : null;
        IReadOnlyList<SearchHit>? dense = null;
        try
        {
            if (needsDense)
            {
                queryVector ??= await encoder.EncodeOneAsync(prepared, TextRole.Query, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                dense = explain || options.Method != SearchMethod.Bm25
                    ? await retrieval.DenseAsync(queryVector, depth, cancellationToken).ConfigureAwait(false)
                    : null;
            }
        }
        catch
        {
            await ObserveAsync(keywordPending).ConfigureAwait(false);
            throw;
        }

        var keyword = keywordPending is null ? null : await keywordPending.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<SearchHit> firstStage = options.Method switch
        {
            SearchMethod.Bm25 => keyword!,
            SearchMethod.Dense => dense!,
            _ => HybridFusion.Fuse(keyword!, dense!, options.Fusion),
        };
        firstStage = firstStage.Take(firstStageTop).ToList();
        IReadOnlyList<SearchHit> hits = firstStage;
        if (options.Ranker is { } ranker)
        {
            hits = await RankingStage.RankAsync(normalized ?? prepared, prepared, hits, ranker, options.Reranker, retrieval, queryVector!, textsOf,
                cancellationToken).ConfigureAwait(false);
        }
        else if (options.Reranker is { } reranker)
        {
            var head = hits.Take(options.RerankDepth).Select(h => h.ProductId).ToList();
            var texts = await TextsByIdAsync(textsOf, head, cancellationToken).ConfigureAwait(false);
            hits = Reranking.Rerank(prepared, hits, options.RerankDepth, reranker, id => texts[id], options.RerankFirstStageWeight, cancellationToken);
        }

        return new SearchRun(prepared, hits.Take(options.Top).ToList(), firstStage, keyword, dense, queryVector);
    }

    /// <summary>
    /// How deep <see cref="RunAsync"/> reads each first-stage list (keyword, dense): the first stage's hits (those asked,
    /// or the re-ranker's or learned ranker's depth when deeper), and at least the fusion depth for hybrid searches and
    /// for explained ones (an explanation gives each hit's rank in both lists and the fusion's parts).
    /// </summary>
    /// <param name="options">The search's options.</param>
    /// <param name="size">How many items the catalogue holds (no list is deeper).</param>
    /// <param name="explain">Whether the search is explained.</param>
    public static int ListDepth(SearchOptions options, int size, bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = Capped(options, size);
        var firstStageTop = FirstStageTop(options, size);
        return options.Method == SearchMethod.Hybrid || explain ? Math.Max(firstStageTop, options.FusionDepth) : firstStageTop;
    }

    /// <summary>The texts of <paramref name="ids"/> by id.</summary>
    internal static async ValueTask<Dictionary<string, string>> TextsByIdAsync(ItemTexts textsOf, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var texts = await textsOf(ids, cancellationToken).ConfigureAwait(false);
        var byId = new Dictionary<string, string>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            byId[ids[i]] = texts[i];
        }

        return byId;
    }

    // A list asked for but no longer wanted (the search failed or was cancelled meanwhile): let it finish, quietly.
    private static async Task ObserveAsync(Task<IReadOnlyList<SearchHit>>? pending)
    {
        if (pending is not null)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The search already fails with the first error; this one would only repeat it (or its cancellation).
            }
        }
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

/// <summary>What one run of the pipeline computed; explanations reuse it instead of retrieving and encoding again.</summary>
/// <param name="Prepared">The query as searched.</param>
/// <param name="Hits">The ranking, best first, at most the hits asked.</param>
/// <param name="FirstStage">The first stage's ranking before any re-ranking (as deep as the second stage read).</param>
/// <param name="Keyword">The keyword list, when it was read.</param>
/// <param name="Dense">The dense list, when it was read.</param>
/// <param name="QueryVector">The prepared query's embedding, when it was made.</param>
public sealed record SearchRun(string Prepared, IReadOnlyList<SearchHit> Hits, IReadOnlyList<SearchHit> FirstStage,
    IReadOnlyList<SearchHit>? Keyword, IReadOnlyList<SearchHit>? Dense, float[]? QueryVector);
