using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Index.Vectors;

/// <summary>
/// A set of (product id, vector) entries searchable by similarity. Scores follow <see cref="SimilarityMetric"/>:
/// higher is more similar (Euclidean is returned negated).
/// </summary>
/// <remarks>Concurrent searches are safe; adds and removes must not overlap other calls.</remarks>
public interface IVectorIndex : IDisposable
{
    /// <summary>Vector length.</summary>
    int Dimension { get; }

    /// <summary>The similarity used for ranking.</summary>
    SimilarityMetric Metric { get; }

    /// <summary>Number of entries.</summary>
    int Count { get; }

    /// <summary>Adds or replaces the vector of <paramref name="id"/>.</summary>
    void Add(string id, ReadOnlySpan<float> vector);

    /// <summary>Removes an entry; returns false when the id is absent.</summary>
    bool Remove(string id);

    /// <summary>Whether the id is present.</summary>
    bool Contains(string id);

    /// <summary>The best <paramref name="k"/> entries for <paramref name="query"/>, best first (fewer when the index is smaller).</summary>
    IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k);

    /// <summary>
    /// The best <paramref name="k"/> entries among those <paramref name="accept"/> keeps (all when null), best first: the
    /// filter is applied during the search, so k accepted entries come back whenever the index holds that many.
    /// </summary>
    IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, Func<string, bool>? accept);

    /// <summary>
    /// The similarity of <paramref name="query"/> to each of <paramref name="ids"/>' stored vectors, as <see cref="Search(ReadOnlySpan{float}, int)"/>
    /// would score it (result[i] belongs to ids[i]); a later stage compares candidates that one retriever did not return.
    /// </summary>
    /// <exception cref="KeyNotFoundException">An id is not in the index.</exception>
    float[] Similarities(ReadOnlySpan<float> query, IReadOnlyList<string> ids);

    /// <summary>Writes the index into <paramref name="directory"/> (created if needed).</summary>
    void Save(string directory);
}
