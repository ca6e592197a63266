using SemanticMatch.Core;

namespace SemanticMatch.Search;

/// <summary>
/// Runs a learned ranker (<see cref="IResultRanker"/>) over the top of a first-stage ranking: gathers each candidate's
/// signals (keyword and dense scores of every candidate, whichever retriever found it; the cross-encoder's score) and
/// orders the candidates by the ranker's score. Search, evaluation and ranker training describe candidates through
/// <see cref="DescribeAsync"/>, so a ranker sees the same features when it is trained as when it serves.
/// </summary>
public static class RankingStage
{
    /// <summary>Describes products <paramref name="ids"/> for one query.</summary>
    /// <param name="searched">The query as searched.</param>
    /// <param name="ids">The products.</param>
    /// <param name="firstStage">The first stage's ranking (positions give <see cref="CandidateSignals.FirstStageRank"/>).</param>
    /// <param name="depth">How many first-stage results are candidates.</param>
    /// <param name="retrieval">Keyword and dense scores.</param>
    /// <param name="queryVector">The searched query's embedding.</param>
    /// <param name="crossEncoder">The cross-encoder, or null.</param>
    /// <param name="textsOf">The products' texts.</param>
    /// <param name="cancellationToken">Stops between retrieval calls and cross-encoder batches.</param>
    public static async ValueTask<List<CandidateSignals>> DescribeAsync(string searched, IReadOnlyList<string> ids, IReadOnlyList<SearchHit> firstStage,
        int depth, IRetrieval retrieval, float[] queryVector, IPairScorer? crossEncoder, ItemTexts textsOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(retrieval);
        ArgumentNullException.ThrowIfNull(textsOf);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (hit, position) in firstStage.Take(depth).Select((h, i) => (h, i + 1)))
        {
            positions.TryAdd(hit.ProductId, position);
        }

        var keyword = await retrieval.KeywordScoresAsync(searched, ids, cancellationToken).ConfigureAwait(false);
        var dense = await retrieval.DenseScoresAsync(queryVector, ids, cancellationToken).ConfigureAwait(false);
        var texts = await textsOf(ids, cancellationToken).ConfigureAwait(false);
        var cross = crossEncoder?.Score(searched, texts, cancellationToken);
        return ids.Select((id, i) => new CandidateSignals(id, texts[i], keyword[i], dense[i], cross?[i],
            positions.GetValueOrDefault(id, depth + 1))).ToList();
    }

    /// <summary>
    /// Re-orders the first <see cref="IResultRanker.Depth"/> hits by the ranker's score, each with its calibrated
    /// probability; hits below that depth follow unchanged.
    /// </summary>
    /// <param name="normalized">The query before spelling correction.</param>
    /// <param name="searched">The query as searched.</param>
    /// <param name="hits">The first stage's ranking, best first.</param>
    /// <param name="ranker">The ranker.</param>
    /// <param name="crossEncoder">The cross-encoder the ranker was trained with, or null when it uses none.</param>
    /// <param name="retrieval">Keyword and dense scores.</param>
    /// <param name="queryVector">The searched query's embedding.</param>
    /// <param name="textsOf">The products' texts.</param>
    /// <param name="cancellationToken">Stops between retrieval calls and cross-encoder batches.</param>
    public static async ValueTask<List<SearchHit>> RankAsync(string normalized, string searched, IReadOnlyList<SearchHit> hits, IResultRanker ranker,
        IPairScorer? crossEncoder, IRetrieval retrieval, float[] queryVector, ItemTexts textsOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(ranker);
        var head = hits.Take(ranker.Depth).ToList();
        if (head.Count == 0)
        {
            return [];
        }

        var candidates = await DescribeAsync(searched, head.Select(h => h.ProductId).ToList(), head, ranker.Depth, retrieval, queryVector,
            ranker.CrossEncoder is not null ? crossEncoder : null, textsOf, cancellationToken).ConfigureAwait(false);
        return Order(hits, ranker.Depth, ranker.Score(new QuerySignals(normalized, searched, candidates), candidates));
    }

    /// <summary>
    /// Orders the first <paramref name="depth"/> hits by <paramref name="scores"/> (scores[i] belongs to hits[i]; ties keep
    /// first-stage order), each with its probability; hits below the depth follow unchanged.
    /// </summary>
    public static List<SearchHit> Order(IReadOnlyList<SearchHit> hits, int depth, IReadOnlyList<RankerScore> scores)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(scores);
        return hits.Take(depth).Select((h, i) => (Hit: new SearchHit(h.ProductId, scores[i].Score) { Probability = scores[i].Probability }, Position: i))
            .OrderByDescending(x => x.Hit.Score)
            .ThenBy(x => x.Position)
            .Select(x => x.Hit)
            .Concat(hits.Skip(depth))
            .ToList();
    }
}
