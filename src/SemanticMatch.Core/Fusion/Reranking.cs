namespace SemanticMatch.Core.Fusion;

/// <summary>Second-stage re-ranking: a pair scorer (cross-encoder) re-orders the top of a first-stage ranking.</summary>
public static class Reranking
{
    /// <summary>
    /// Scores the first <paramref name="depth"/> hits with <paramref name="scorer"/> and orders them by that score (ties
    /// keep first-stage order); hits below the depth follow unchanged, with their first-stage scores. With a
    /// <paramref name="firstStageWeight"/> w &gt; 0 the order is by (1 - w) * re-ranker + w * first stage, both min-max
    /// normalised over the re-scored hits.
    /// </summary>
    /// <param name="query">The query as searched (normalised, spell-corrected).</param>
    /// <param name="hits">First-stage ranking, best first.</param>
    /// <param name="depth">How many of the top hits to re-score.</param>
    /// <param name="scorer">The re-ranker.</param>
    /// <param name="textOf">The product text the scorer reads, by product id.</param>
    /// <param name="firstStageWeight">Share of the first-stage score in the final order, in [0, 1) (0 = re-ranker only).</param>
    /// <param name="cancellationToken">Stops between scoring batches.</param>
    public static List<SearchHit> Rerank(string query, IReadOnlyList<SearchHit> hits, int depth, IPairScorer scorer,
        Func<string, string> textOf, double firstStageWeight = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        if (firstStageWeight is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(firstStageWeight), firstStageWeight, "must be in [0, 1)");
        }

        var head = hits.Take(depth).ToList();
        if (head.Count == 0)
        {
            return [];
        }

        var scores = scorer.Score(query, head.Select(h => textOf(h.ProductId)).ToList(), cancellationToken);
        if (firstStageWeight > 0)
        {
            var reranker = Normalized(scores);
            var firstStage = Normalized(head.Select(h => h.Score).ToArray());
            scores = reranker.Select((r, i) => (float)((1 - firstStageWeight) * r + firstStageWeight * firstStage[i])).ToArray();
        }

        return head.Select((h, i) => (Hit: new SearchHit(h.ProductId, scores[i]), Rank: i))
            .OrderByDescending(x => x.Hit.Score)
            .ThenBy(x => x.Rank)
            .Select(x => x.Hit)
            .Concat(hits.Skip(depth))
            .ToList();
    }

    // Min-max to [0, 1]; all-equal scores become 0.
    private static float[] Normalized(float[] scores)
    {
        var min = scores.Min();
        var range = scores.Max() - min;
        return scores.Select(s => range > 0 ? (s - min) / range : 0f).ToArray();
    }
}
