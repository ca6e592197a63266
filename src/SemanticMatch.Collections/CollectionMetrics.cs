using System.Diagnostics.Metrics;

namespace SemanticMatch.Collections;

/// <summary>The collections' instruments (meter <see cref="MeterName"/>): write-ahead log flush time and entries per flush.</summary>
public static class CollectionMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "SemanticMatch.Collections";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Histogram<double> s_flush = s_meter.CreateHistogram<double>("semanticmatch.wal.fsync.duration", "s", "Time to flush a group commit to disk");
    private static readonly Histogram<int> s_group = s_meter.CreateHistogram<int>("semanticmatch.wal.group.size", "{entry}", "Log entries sharing one flush");

    internal static void RecordFlush(int entries, TimeSpan elapsed)
    {
        s_flush.Record(elapsed.TotalSeconds);
        s_group.Record(entries);
    }
}
