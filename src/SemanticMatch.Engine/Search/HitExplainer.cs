using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;

namespace SemanticMatch.Engine.Search;

/// <summary>
/// Explains (query, product) matches: BM25 term contributions, dense occlusion of query and product words (one
/// encoder batch per side), for hybrid search each method's rank and share of the fused score, and with a cross-encoder
/// its score, the first-stage rank it moved the product from and its own occlusion of the query words.
/// </summary>
/// <remarks>
/// Made once per search (<see cref="ForQuery"/>): the retrieval lists and the query's occlusion batch are the same for
/// every hit, so explaining n hits costs one query batch and n product batches.
/// </remarks>
public sealed class HitExplainer
{
    /// <summary>Product words explained by occlusion (one encoder input each); later words are not.</summary>
    public const int MaxProductWords = 48;

    private readonly string _prepared;
    private readonly SearchOptions _options;
    private readonly IRetrieval _retrieval;
    private readonly ITextEncoder _encoder;
    private readonly IReadOnlyList<SearchHit> _keywordHits;
    private readonly IReadOnlyList<SearchHit> _denseHits;
    private readonly List<string> _queryWords;
    private readonly float[][] _queries;

    private HitExplainer(string prepared, SearchOptions options, int size, IRetrieval retrieval, ITextEncoder encoder)
    {
        _prepared = prepared;
        _options = options;
        _retrieval = retrieval;
        _encoder = encoder;
        var depth = ListDepth(options, size);
        _keywordHits = retrieval.Keyword(prepared, depth);
        _queryWords = Words(prepared);
        _queries = encoder.Encode([prepared, .. LeaveOneOut(_queryWords)], TextRole.Query);
        _denseHits = retrieval.Dense(_queries[0], depth);
    }

    /// <summary>How deep the explanations read each first-stage list (keyword, dense): the fusion depth or the hits asked.</summary>
    /// <param name="options">The search's options.</param>
    /// <param name="size">How many items the catalogue holds (no list is deeper).</param>
    public static int ListDepth(SearchOptions options, int size)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Max(1, Math.Min(Math.Max(options.FusionDepth, options.Top), size));
    }

    /// <summary>Prepares the explanations of one search's hits.</summary>
    /// <param name="prepared">The query as searched (normalised, spell-corrected).</param>
    /// <param name="options">The search's options (method, fusion and its depth, re-ranker).</param>
    /// <param name="size">How many items the catalogue holds.</param>
    /// <param name="retrieval">The search's retrieval under its filter, so that ranks and fusion are those of the filtered search.</param>
    /// <param name="encoder">The bi-encoder that made the vectors.</param>
    public static HitExplainer ForQuery(string prepared, SearchOptions options, int size, IRetrieval retrieval, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HitExplainer(prepared, options, size, retrieval, encoder);
    }

    /// <summary>Explains why <paramref name="productId"/> matches the query.</summary>
    /// <param name="productId">The product.</param>
    /// <param name="productText">The product's text as it was embedded and indexed.</param>
    /// <param name="shownWords">
    /// The words that may be shown (those of fields returned to the caller); null = all. Only they are explained by
    /// occlusion: a hidden field's words are never listed.
    /// </param>
    public HitExplanation Explain(string productId, string productText, IReadOnlySet<string>? shownWords = null)
    {
        var terms = _retrieval.ExplainTerms(_prepared, productId);
        var bm25 = new KeywordExplanation(terms.Sum(t => t.Contribution), RankOf(_keywordHits, productId), terms);

        var allWords = Words(productText);
        // Fields are joined by ". " (ProductText), so a field's last word carries the full stop in the joined text.
        var explained = Enumerable.Range(0, allWords.Count)
            .Where(i => shownWords is null || shownWords.Contains(allWords[i]) || shownWords.Contains(allWords[i].TrimEnd('.')))
            .Take(MaxProductWords)
            .ToList();
        var documents = _encoder.Encode(
            [productText, .. explained.Select(i => string.Join(' ', allWords.Where((_, j) => j != i)))], TextRole.Document);
        float Similarity(float[] q, float[] d) => VectorSimilarity.Score(_retrieval.Metric, q, d);
        var score = Similarity(_queries[0], documents[0]);
        var dense = new DenseExplanation(score, RankOf(_denseHits, productId),
            _queryWords.Select((w, i) => new WordContribution(w, score - Similarity(_queries[i + 1], documents[0]))).ToList(),
            explained.Select((w, k) => new WordContribution(allWords[w], score - Similarity(_queries[0], documents[k + 1]))).ToList());

        FusionExplanation? fusion = null;
        if (_options.Method == SearchMethod.Hybrid)
        {
            var (bm25Part, densePart) = HybridFusion.Parts(_keywordHits, _denseHits, _options.Fusion, productId);
            fusion = new FusionExplanation(_options.Fusion.Method, bm25Part + densePart, bm25Part, densePart);
        }

        RerankExplanation? rerank = null;
        if (_options.Reranker is { } reranker)
        {
            // A cross-encoder reads one query with many texts, so each query without one word is its own call.
            var pairScore = reranker.Score(_prepared, [productText])[0];
            rerank = new RerankExplanation(pairScore, RankOf(FirstStage(), productId),
                LeaveOneOut(_queryWords).Select((variant, i) => new WordContribution(_queryWords[i], pairScore - reranker.Score(variant, [productText])[0])).ToList());
        }

        return new HitExplanation(productId, _prepared, bm25, dense, fusion, rerank);
    }

    // The ranking the re-ranker started from.
    private IReadOnlyList<SearchHit> FirstStage() => _options.Method switch
    {
        SearchMethod.Bm25 => _keywordHits,
        SearchMethod.Dense => _denseHits,
        _ => HybridFusion.Fuse(_keywordHits, _denseHits, _options.Fusion),
    };

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

    private static List<string> Words(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    // The text without each word in turn (an empty text when it had one word).
    private static IEnumerable<string> LeaveOneOut(List<string> words) =>
        words.Select((_, i) => string.Join(' ', words.Where((_, j) => j != i)));
}
