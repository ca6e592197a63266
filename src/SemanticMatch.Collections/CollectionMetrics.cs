using System.Diagnostics.Metrics;

namespace SemanticMatch.Collections;

/// <summary>The collections' instruments (meter <see cref="MeterName"/>): write-ahead log flush time, entries per flush, refused writes and failed snapshots.</summary>
public static class CollectionMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "SemanticMatch.Collections";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Histogram<double> s_flush = s_meter.CreateHistogram<double>("semanticmatch.wal.fsync.duration", "s", "Time to flush a group commit to disk");
    private static readonly Histogram<int> s_group = s_meter.CreateHistogram<int>("semanticmatch.wal.group.size", "{entry}", "Log entries sharing one flush");

    private static readonly Counter<long> s_refused = s_meter.CreateCounter<long>("semanticmatch.wal.refused", "{write}", "Group commits refused because the log could not be written");
    private static readonly Counter<long> s_snapshotFailures = s_meter.CreateCounter<long>("semanticmatch.snapshot.failures", "{snapshot}", "Snapshots that could not be written (the log was kept)");

    internal static void RecordRefusedWrite() => s_refused.Add(1);

    internal static void RecordFailedSnapshot() => s_snapshotFailures.Add(1);

    internal static void RecordFlush(int entries, TimeSpan elapsed)
    {
        s_flush.Record(elapsed.TotalSeconds);
        s_group.Record(entries);
    }
}
