namespace SemanticMatch.Collections.Storage;

/// <summary>
/// A write-ahead log is damaged in the middle: unreadable bytes are followed by intact, acknowledged frames. The
/// collection is not opened (cutting the log there would silently lose those writes); <c>semmatch recover</c> salvages it.
/// </summary>
internal sealed class LogDamagedException(LogScan scan) : Exception(Describe(scan))
{
    /// <summary>What the log holds.</summary>
    public LogScan Scan { get; } = scan;

    private static string Describe(LogScan scan)
    {
        var (offset, length) = scan.Damage[0];
        var after = scan.AfterDamage.ToList();
        return $"{scan.Path} is damaged at byte {offset} ({length} unreadable bytes); {after.Sum(f => f.Entries.Count)} acknowledged " +
            $"entries in {after.Count} group commits follow it, so it is not cut there";
    }
}
