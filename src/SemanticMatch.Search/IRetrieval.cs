using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Search;

/// <summary>
/// The first-stage retrievers of one catalogue under one search's filter: keyword (BM25) and vector search, each
/// returning its best accepted items. Lucene + a vector index in process, or SQL in a database; fusion, re-ranking and
/// explanations above it (<see cref="SearchPipeline"/>) are the same for both, and only the pipeline decides how deep
/// each list is read.
/// </summary>
/// <remarks>
/// Asynchronous because a database answers over the network; an in-process implementation completes synchronously
/// (a <see cref="ValueTask{TResult}"/> then costs no allocation). Implementations honour the token between steps.
/// </remarks>
public interface IRetrieval
{
    /// <summary>The vector similarity the dense scores use.</summary>
    SimilarityMetric Metric { get; }

    /// <summary>The <paramref name="k"/> best items for a prepared query by keyword score, best first, ties by id.</summary>
    ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken);

    /// <summary>The <paramref name="k"/> items nearest to <paramref name="query"/>, best first, ties by id.</summary>
    ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken);

    /// <summary>How many items hold at least one word of the prepared query (under the filter): the keyword list's full length.</summary>
    ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken);

    /// <summary>The keyword scores of the given items for a prepared query (0 where no word matches); result[i] belongs to ids[i].</summary>
    ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>The vector similarity of the given items to <paramref name="query"/>; result[i] belongs to ids[i].</summary>
    ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Each query word's keyword-score contribution to item <paramref name="id"/> (they sum to its score; none when it matches no word).</summary>
    ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken);

    /// <summary>
    /// <paramref name="normalized"/> with each word this catalogue does not hold replaced by its best known neighbour
    /// (<see cref="SpellingRules"/>: same first letter, within the edit distance its length allows, most frequent first).
    /// </summary>
    ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken);
}
