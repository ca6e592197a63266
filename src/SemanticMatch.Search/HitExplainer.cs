using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Search;

/// <summary>
/// Explains (query, product) matches: BM25 term contributions, dense occlusion of query and product words (one
/// encoder batch per side), for hybrid search each method's rank and share of the fused score, and with a cross-encoder
/// its score, the first-stage rank it moved the product from and its own occlusion of the query words.
/// </summary>
/// <remarks>
/// Made once per search from what the search computed (<see cref="ForRun"/>): the retrieval lists and the query's
/// embedding come from its <see cref="SearchRun"/>, so explaining n hits retrieves nothing again and costs one batch of
/// the query without each word and n product batches.
/// </remarks>
public sealed class HitExplainer
{
    /// <summary>Product words explained by occlusion (one encoder input each); later words are not.</summary>
    public const int MaxProductWords = 48;

    private readonly SearchRun _run;
    private readonly SearchOptions _options;
    private readonly IRetrieval _retrieval;
    private readonly ITextEncoder _encoder;
    private readonly IReadOnlyList<SearchHit> _keywordHits;
    private readonly IReadOnlyList<SearchHit> _denseHits;
    private readonly float[] _query;
    private readonly List<string> _queryWords;
    private readonly float[][] _withoutWord;

    private HitExplainer(SearchRun run, SearchOptions options, IRetrieval retrieval, ITextEncoder encoder, CancellationToken cancellationToken)
    {
        _run = run;
        _options = options;
        _retrieval = retrieval;
        _encoder = encoder;
        _keywordHits = run.Keyword ?? throw new ArgumentException("the search was not run with explain: no keyword list", nameof(run));
        _denseHits = run.Dense ?? throw new ArgumentException("the search was not run with explain: no dense list", nameof(run));
        _query = run.QueryVector ?? throw new ArgumentException("the search was not run with explain: no query vector", nameof(run));
        _queryWords = Words(run.Prepared);
        _withoutWord = encoder.Encode([.. LeaveOneOut(_queryWords)], TextRole.Query, cancellationToken: cancellationToken);
    }

    /// <summary>Prepares the explanations of one search's hits.</summary>
    /// <param name="run">The search, run with <c>explain</c> (both lists and the query vector).</param>
    /// <param name="options">The search's options (method, fusion and its depth, re-ranker).</param>
    /// <param name="retrieval">The search's retrieval under its filter, for each hit's keyword terms.</param>
    /// <param name="encoder">The bi-encoder that made the vectors.</param>
    /// <param name="cancellationToken">Stops between encoder batches.</param>
    /// <exception cref="ArgumentException">The run was not made with <c>explain</c>.</exception>
    public static HitExplainer ForRun(SearchRun run, SearchOptions options, IRetrieval retrieval, ITextEncoder encoder,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        return new HitExplainer(run, options, retrieval, encoder, cancellationToken);
    }

    /// <summary>Explains why <paramref name="productId"/> matches the query.</summary>
    /// <param name="productId">The product.</param>
    /// <param name="productText">The product's text as it was embedded and indexed.</param>
    /// <param name="shownWords">
    /// The words that may be shown (those of fields returned to the caller); null = all. Only they are explained by
    /// occlusion: a hidden field's words are never listed.
    /// </param>
    /// <param name="cancellationToken">Stops between retrieval and encoder calls.</param>
    public async ValueTask<HitExplanation> ExplainAsync(string productId, string productText, IReadOnlySet<string>? shownWords = null,
        CancellationToken cancellationToken = default)
    {
        var terms = await _retrieval.ExplainTermsAsync(_run.Prepared, productId, cancellationToken).ConfigureAwait(false);
        var bm25 = new KeywordExplanation(terms.Sum(t => t.Contribution), RankOf(_keywordHits, productId), terms);

        var allWords = Words(productText);
        // Fields are joined by ". " (ProductText), so a field's last word carries the full stop in the joined text.
        var explained = Enumerable.Range(0, allWords.Count)
            .Where(i => shownWords is null || shownWords.Contains(allWords[i]) || shownWords.Contains(allWords[i].TrimEnd('.')))
            .Take(MaxProductWords)
            .ToList();
        var documents = _encoder.Encode(
            [productText, .. explained.Select(i => string.Join(' ', allWords.Where((_, j) => j != i)))], TextRole.Document, cancellationToken: cancellationToken);
        float Similarity(float[] q, float[] d) => VectorSimilarity.Score(_retrieval.Metric, q, d);
        var score = Similarity(_query, documents[0]);
        var dense = new DenseExplanation(score, RankOf(_denseHits, productId),
            _queryWords.Select((w, i) => new WordContribution(w, score - Similarity(_withoutWord[i], documents[0]))).ToList(),
            explained.Select((w, k) => new WordContribution(allWords[w], score - Similarity(_query, documents[k + 1]))).ToList());

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
            var pairScore = reranker.Score(_run.Prepared, [productText], cancellationToken)[0];
            rerank = new RerankExplanation(pairScore, RankOf(_run.FirstStage, productId),
                LeaveOneOut(_queryWords).Select((variant, i) =>
                    new WordContribution(_queryWords[i], pairScore - reranker.Score(variant, [productText], cancellationToken)[0])).ToList());
        }

        return new HitExplanation(productId, _run.Prepared, bm25, dense, fusion, rerank);
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

    private static List<string> Words(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    // The text without each word in turn (an empty text when it had one word).
    private static IEnumerable<string> LeaveOneOut(List<string> words) =>
        words.Select((_, i) => string.Join(' ', words.Where((_, j) => j != i)));
}
