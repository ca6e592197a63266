namespace SemanticMatch.Collections;

/// <summary>Durability settings of embedded collections.</summary>
public sealed record CollectionOptions
{
    private readonly long _snapshotBytes = 64L << 20;

    /// <summary>When the write-ahead log grows past this many bytes, a snapshot is written and the log emptied.</summary>
    public long SnapshotAfterLogBytes
    {
        get => _snapshotBytes;
        init => _snapshotBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(SnapshotAfterLogBytes), value, "must be >= 1");
    }
}
