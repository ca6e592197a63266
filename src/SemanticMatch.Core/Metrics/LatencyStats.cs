namespace SemanticMatch.Core.Metrics;

/// <summary>Percentiles of a set of latencies in milliseconds (nearest-rank definition).</summary>
public readonly record struct LatencyStats(double P50Ms, double P95Ms, double P99Ms, int Count)
{
    /// <summary>Computes the percentiles; all zero for an empty set.</summary>
    public static LatencyStats From(IReadOnlyCollection<double> millis)
    {
        if (millis.Count == 0)
        {
            return default;
        }

        var sorted = millis.Order().ToArray();
        return new LatencyStats(Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted.Length);
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(IReadOnlyList<double> ascending, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * ascending.Count);
        return ascending[Math.Clamp(rank - 1, 0, ascending.Count - 1)];
    }
}
