namespace SemanticMatch.Core.Similarity;

/// <summary>Scores many (query, text) pairs with one pair scorer: one call per distinct query, with its texts.</summary>
public static class PairScoring
{
    /// <summary>Scores each pair (queries[i], texts[i]); result[i] belongs to pair i.</summary>
    /// <param name="scorer">A cross-encoder, or a bi-encoder through <see cref="EmbeddingPairScorer"/>.</param>
    /// <param name="queries">The pairs' queries, already normalised.</param>
    /// <param name="texts">The pairs' texts, already normalised.</param>
    /// <param name="progress">Receives the count of pairs scored so far.</param>
    /// <param name="cancellationToken">Stops between queries and the scorer's batches.</param>
    public static float[] Score(IPairScorer scorer, IReadOnlyList<string> queries, IReadOnlyList<string> texts, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(texts);
        if (queries.Count != texts.Count)
        {
            throw new ArgumentException($"{queries.Count} queries for {texts.Count} texts", nameof(texts));
        }

        var scores = new float[queries.Count];
        var done = 0;
        foreach (var group in Enumerable.Range(0, queries.Count).GroupBy(i => queries[i], StringComparer.Ordinal))
        {
            var pairs = group.ToList();
            var values = scorer.Score(group.Key, pairs.Select(i => texts[i]).ToList(), cancellationToken);
            for (var k = 0; k < pairs.Count; k++)
            {
                scores[pairs[k]] = values[k];
            }

            progress?.Report(done += pairs.Count);
        }

        return scores;
    }
}
