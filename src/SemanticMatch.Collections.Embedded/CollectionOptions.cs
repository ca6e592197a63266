namespace SemanticMatch.Collections.Embedded;

/// <summary>Durability settings of embedded collections, and how they load learned rankers.</summary>
public sealed record CollectionOptions
{
    /// <summary>Loads a learned ranker from its location (a directory); null = collections cannot have rankers.</summary>
    public Func<string, Search.IResultRanker>? Rankers { get; init; }

    /// <summary>The files the store writes through (a fault-injecting seam in tests and drills).</summary>
    public Storage.IStorageFiles Files { get; init; } = Storage.LocalFiles.Instance;

    private readonly long _snapshotBytes = 64L << 20;

    /// <summary>When the write-ahead log grows past this many bytes, a snapshot is written and the log emptied.</summary>
    public long SnapshotAfterLogBytes
    {
        get => _snapshotBytes;
        init => _snapshotBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(SnapshotAfterLogBytes), value, "must be >= 1");
    }
}
