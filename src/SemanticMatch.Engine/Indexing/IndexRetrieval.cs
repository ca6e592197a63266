using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Indexing;

/// <summary>
/// Retrieval from in-process indexes: a Lucene BM25 index and a vector index, filtered inside both. Every call completes
/// synchronously; the synchronous methods are for callers that guard the indexes with a lock of their own.
/// </summary>
/// <param name="keyword">The BM25 index.</param>
/// <param name="vectors">The vector index.</param>
/// <param name="filter">Keeps only the items it accepts; null keeps all.</param>
public sealed class IndexRetrieval(Bm25Index keyword, IVectorIndex vectors, Func<string, bool>? filter = null) : IRetrieval
{
    /// <inheritdoc />
    public SimilarityMetric Metric => vectors.Metric;

    /// <summary>The <paramref name="k"/> best items by keyword score (see <see cref="IRetrieval.KeywordAsync"/>).</summary>
    public IReadOnlyList<SearchHit> Keyword(string prepared, int k) => keyword.Search(prepared, k, filter);

    /// <summary>The <paramref name="k"/> nearest items (see <see cref="IRetrieval.DenseAsync"/>).</summary>
    public IReadOnlyList<SearchHit> Dense(float[] query, int k) => vectors.Search(query, k, filter);

    /// <summary>How many accepted items hold a query word (see <see cref="IRetrieval.KeywordCountAsync"/>).</summary>
    public int KeywordCount(string prepared) => keyword.CountMatches(prepared, filter);

    /// <summary>Keyword scores of the given items (see <see cref="IRetrieval.KeywordScoresAsync"/>).</summary>
    public float[] KeywordScores(string prepared, IReadOnlyList<string> ids)
    {
        var scores = keyword.ScoreCandidates(prepared, ids);
        return ids.Select(id => scores.GetValueOrDefault(id)).ToArray();
    }

    /// <summary>Similarities of the given items (see <see cref="IRetrieval.DenseScoresAsync"/>).</summary>
    public float[] DenseScores(float[] query, IReadOnlyList<string> ids) => vectors.Similarities(query, ids);

    /// <summary>Term contributions to one item's score (see <see cref="IRetrieval.ExplainTermsAsync"/>).</summary>
    public IReadOnlyList<TermContribution> ExplainTerms(string prepared, string id) => keyword.ExplainTerms(prepared, id);

    /// <summary>The query spell-corrected against the keyword index's words (see <see cref="IRetrieval.CorrectSpellingAsync"/>).</summary>
    public string CorrectSpelling(string normalized) => keyword.CorrectSpelling(normalized);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken) =>
        Now(() => Keyword(prepared, k), cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken) =>
        Now(() => Dense(query, k), cancellationToken);

    /// <inheritdoc />
    public ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        Now(() => KeywordScores(prepared, ids), cancellationToken);

    /// <inheritdoc />
    public ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        Now(() => DenseScores(query, ids), cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken) =>
        Now(() => ExplainTerms(prepared, id), cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken) =>
        Now(() => KeywordCount(prepared), cancellationToken);

    /// <inheritdoc />
    public ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken) =>
        Now(() => CorrectSpelling(normalized), cancellationToken);

    private static ValueTask<T> Now<T>(Func<T> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(call());
    }
}
