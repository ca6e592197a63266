namespace SemanticMatch.Core.Metrics;

/// <summary>
/// Ranking metrics with the definitions fixed in docs/metrics.md, so numbers are comparable across reports.
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// NDCG@k of re-ranking a query's judged candidates by score: gain 2^(relevance - scaleMinimum) - 1, discount
    /// log2(rank + 1), ideal = the same candidates by relevance; score ties are broken by product id (ordinal).
    /// </summary>
    /// <param name="candidates">Every judged product of the query with the method's score and its relevance.</param>
    /// <param name="k">Cut-off.</param>
    /// <param name="scaleMinimum">Lowest relevance of the scale (1 for Home Depot), which gets gain 0.</param>
    /// <returns>NDCG in [0, 1], or null when all candidates share one relevance (the query cannot be ranked).</returns>
    public static double? NdcgAtK(IReadOnlyList<ScoredCandidate> candidates, int k, double scaleMinimum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (candidates.Count == 0 || candidates.All(c => c.Relevance == candidates[0].Relevance))
        {
            return null;
        }

        var ranked = candidates
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.ProductId, StringComparer.Ordinal)
            .Select(c => c.Relevance);
        var ideal = candidates.Select(c => c.Relevance).OrderByDescending(r => r);
        var idealDcg = Dcg(ideal, k, scaleMinimum);
        return idealDcg == 0 ? null : Dcg(ranked, k, scaleMinimum) / idealDcg;
    }

    /// <summary>Share of the relevant products that appear in the first <paramref name="k"/> results.</summary>
    /// <exception cref="ArgumentException">There are no relevant products (such queries are left out).</exception>
    public static double RecallAtK(IReadOnlyList<string> rankedIds, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            throw new ArgumentException("recall is undefined for a query without relevant products", nameof(relevant));
        }

        return rankedIds.Take(k).Count(relevant.Contains) / (double)relevant.Count;
    }

    /// <summary>1 / rank of the first relevant product within the first <paramref name="k"/> results, else 0.</summary>
    public static double ReciprocalRankAtK(IReadOnlyList<string> rankedIds, IReadOnlySet<string> relevant, int k)
    {
        for (var i = 0; i < Math.Min(k, rankedIds.Count); i++)
        {
            if (relevant.Contains(rankedIds[i]))
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }

    private static double Dcg(IEnumerable<double> relevanceInRankOrder, int k, double scaleMinimum) =>
        relevanceInRankOrder.Take(k).Select((r, i) => (Math.Pow(2, r - scaleMinimum) - 1) / Math.Log2(i + 2)).Sum();
}

/// <summary>A judged candidate of one query: the method's score and the human relevance.</summary>
public readonly record struct ScoredCandidate(string ProductId, double Score, double Relevance);
