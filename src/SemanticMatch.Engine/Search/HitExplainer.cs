using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Search;

/// <summary>
/// Explains one (query, product) match: BM25 term contributions, dense occlusion of query and product words (one
/// encoder batch per side), for hybrid search each method's rank and share of the fused score, and with a cross-encoder
/// its score, the first-stage rank it moved the product from and its own occlusion of the query words.
/// </summary>
public static class HitExplainer
{
    /// <summary>Product words explained by occlusion (one encoder input each); later words are not.</summary>
    public const int MaxProductWords = 48;

    /// <summary>Explains why <paramref name="productId"/> matches the prepared query.</summary>
    /// <param name="prepared">The query as searched (normalised, spell-corrected).</param>
    /// <param name="productId">The product.</param>
    /// <param name="productText">The product's text as it was embedded and indexed.</param>
    /// <param name="options">The search's options (method, fusion and its depth).</param>
    /// <param name="size">How many items the catalogue holds.</param>
    /// <param name="keyword">The BM25 index.</param>
    /// <param name="vectors">The vector index.</param>
    /// <param name="encoder">The bi-encoder that made the vectors.</param>
    /// <param name="filter">The search's filter, so that ranks and fusion are those of the filtered search; null for none.</param>
    public static HitExplanation Explain(string prepared, string productId, string productText, SearchOptions options, int size,
        Bm25Index keyword, IVectorIndex vectors, ITextEncoder encoder, Func<string, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var depth = Math.Max(1, Math.Min(Math.Max(options.FusionDepth, options.Top), size));

        var terms = keyword.ExplainTerms(prepared, productId);
        var keywordHits = keyword.Search(prepared, depth, filter);
        var bm25 = new KeywordExplanation(terms.Sum(t => t.Contribution), RankOf(keywordHits, productId), terms);

        var queryWords = Words(prepared, int.MaxValue);
        var productWords = Words(productText, MaxProductWords);
        var queries = encoder.Encode([prepared, .. LeaveOneOut(queryWords)], TextRole.Query);
        var documents = encoder.Encode([productText, .. LeaveOneOut(productWords)], TextRole.Document);
        float Similarity(float[] q, float[] d) => VectorSimilarity.Score(vectors.Metric, q, d);
        var score = Similarity(queries[0], documents[0]);
        var denseHits = filter is null ? vectors.Search(queries[0], depth) : vectors.Search(queries[0], depth, filter);
        var dense = new DenseExplanation(score, RankOf(denseHits, productId),
            queryWords.Select((w, i) => new WordContribution(w, score - Similarity(queries[i + 1], documents[0]))).ToList(),
            productWords.Select((w, i) => new WordContribution(w, score - Similarity(queries[0], documents[i + 1]))).ToList());

        FusionExplanation? fusion = null;
        if (options.Method == SearchMethod.Hybrid)
        {
            var (bm25Part, densePart) = HybridFusion.Parts(keywordHits, denseHits, options.Fusion, productId);
            fusion = new FusionExplanation(options.Fusion.Method, bm25Part + densePart, bm25Part, densePart);
        }

        RerankExplanation? rerank = null;
        if (options.Reranker is { } reranker)
        {
            var firstStage = options.Method switch
            {
                SearchMethod.Bm25 => keywordHits,
                SearchMethod.Dense => denseHits,
                _ => HybridFusion.Fuse(keywordHits, denseHits, options.Fusion),
            };
            // A cross-encoder reads one query with many texts, so each query without one word is its own call.
            var pairScore = reranker.Score(prepared, [productText])[0];
            rerank = new RerankExplanation(pairScore, RankOf(firstStage, productId),
                LeaveOneOut(queryWords).Select((variant, i) => new WordContribution(queryWords[i], pairScore - reranker.Score(variant, [productText])[0])).ToList());
        }

        return new HitExplanation(productId, prepared, bm25, dense, fusion, rerank);
    }

    private static int? RankOf(IReadOnlyList<SearchHit> hits, string productId)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            if (hits[i].ProductId == productId)
            {
                return i + 1;
            }
        }

        return null;
    }

    private static List<string> Words(string text, int max) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(max).ToList();

    // The text without each word in turn (an empty text when it had one word).
    private static IEnumerable<string> LeaveOneOut(List<string> words) =>
        words.Select((_, i) => string.Join(' ', words.Where((_, j) => j != i)));
}
