using SemanticMatch.Core;

namespace SemanticMatch.Index.Vectors;

/// <summary>Keeps the k best (score, id) pairs seen, with a min-heap; ties go to the smaller id (ordinal).</summary>
internal sealed class TopK(int k)
{
    private readonly PriorityQueue<SearchHit, SearchHit> _heap = new(k + 1, Comparer<SearchHit>.Create(CompareWorstFirst));

    public void Offer(string id, float score)
    {
        var hit = new SearchHit(id, score);
        if (_heap.Count < k)
        {
            _heap.Enqueue(hit, hit);
        }
        else if (k > 0 && CompareWorstFirst(hit, _heap.Peek()) > 0)
        {
            _heap.EnqueueDequeue(hit, hit);
        }
    }

    /// <summary>Whether a score could still enter (cheap pre-check before building a hit).</summary>
    public bool Admits(float score) => _heap.Count < k || (k > 0 && score >= _heap.Peek().Score);

    public IReadOnlyList<SearchHit> BestFirst()
    {
        var hits = _heap.UnorderedItems.Select(x => x.Element).ToList();
        hits.Sort((a, b) => CompareWorstFirst(b, a));
        return hits;
    }

    // Negative when a is worse than b: lower score, or same score and larger id.
    private static int CompareWorstFirst(SearchHit a, SearchHit b)
    {
        var byScore = a.Score.CompareTo(b.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(b.ProductId, a.ProductId);
    }
}
