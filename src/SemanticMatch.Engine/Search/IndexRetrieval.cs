using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Search;

/// <summary>Retrieval from in-process indexes: a Lucene BM25 index and a vector index, filtered inside both.</summary>
/// <param name="keyword">The BM25 index.</param>
/// <param name="vectors">The vector index.</param>
/// <param name="filter">Keeps only the items it accepts; null keeps all.</param>
public sealed class IndexRetrieval(Bm25Index keyword, IVectorIndex vectors, Func<string, bool>? filter = null) : IRetrieval
{
    /// <inheritdoc />
    public SimilarityMetric Metric => vectors.Metric;

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Keyword(string prepared, int k) => keyword.Search(prepared, k, filter);

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Dense(float[] query, int k) => vectors.Search(query, k, filter);

    /// <inheritdoc />
    public float[] KeywordScores(string prepared, IReadOnlyList<string> ids)
    {
        var scores = keyword.ScoreCandidates(prepared, ids);
        return ids.Select(id => scores.GetValueOrDefault(id)).ToArray();
    }

    /// <inheritdoc />
    public float[] DenseScores(float[] query, IReadOnlyList<string> ids) => vectors.Similarities(query, ids);

    /// <inheritdoc />
    public IReadOnlyList<TermContribution> ExplainTerms(string prepared, string id) => keyword.ExplainTerms(prepared, id);
}
