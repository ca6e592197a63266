namespace SemanticMatch.Benchmarks.Evaluations;

/// <summary>Walks scored items from the highest score down, the way a rising threshold lets fewer of them through.</summary>
internal static class ScoreSweep
{
    /// <summary>At each distinct score: how many items score at least that, and how many of those are positive.</summary>
    public static IEnumerable<(double Threshold, int Count, int Positives)> Run(IEnumerable<(double Score, bool Positive)> items)
    {
        int count = 0, positives = 0;
        foreach (var group in items.GroupBy(i => i.Score).OrderByDescending(g => g.Key))
        {
            count += group.Count();
            positives += group.Count(i => i.Positive);
            yield return (group.Key, count, positives);
        }
    }
}
