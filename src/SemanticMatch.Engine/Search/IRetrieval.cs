using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Keyword;

namespace SemanticMatch.Engine.Search;

/// <summary>
/// The first-stage retrievers of one catalogue under one search's filter: keyword (BM25) and vector search, each
/// returning its best accepted items. Lucene + a vector index in process (<see cref="IndexRetrieval"/>) or SQL in a
/// database; fusion, re-ranking and explanations above it are the same for both.
/// </summary>
public interface IRetrieval
{
    /// <summary>The vector similarity the dense scores use.</summary>
    SimilarityMetric Metric { get; }

    /// <summary>The <paramref name="k"/> best items for a prepared query by keyword score, best first, ties by id.</summary>
    IReadOnlyList<SearchHit> Keyword(string prepared, int k);

    /// <summary>The <paramref name="k"/> items nearest to <paramref name="query"/>, best first.</summary>
    IReadOnlyList<SearchHit> Dense(float[] query, int k);

    /// <summary>The keyword scores of the given items for a prepared query (0 where no word matches); result[i] belongs to ids[i].</summary>
    float[] KeywordScores(string prepared, IReadOnlyList<string> ids);

    /// <summary>The vector similarity of the given items to <paramref name="query"/>; result[i] belongs to ids[i].</summary>
    float[] DenseScores(float[] query, IReadOnlyList<string> ids);

    /// <summary>Each query word's keyword-score contribution to item <paramref name="id"/> (they sum to its score).</summary>
    IReadOnlyList<TermContribution> ExplainTerms(string prepared, string id);
}
