namespace SemanticMatch.Collections.Storage;

/// <summary>
/// The file operations the embedded store makes durable, as one seam: the real files (<see cref="LocalFiles"/>), or
/// files that fail at chosen points (<see cref="FaultInjectingFiles"/>) to test what a full disk or a failing device does.
/// </summary>
/// <remarks>Every failure is an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>, as the OS reports it.</remarks>
public interface IStorageFiles
{
    /// <summary>Opens (creating it when missing) a file written at explicit offsets: a write-ahead log.</summary>
    IAppendFile OpenAppend(string path);

    /// <summary>Creates (or empties) a file to write from the start: a snapshot or settings file before its rename.</summary>
    Stream Create(string path);

    /// <summary>Flushes a file made by <see cref="Create"/> to the device (fsync).</summary>
    void FlushToDisk(Stream file);

    /// <summary>Renames a file (replacing the target) or a directory (the target must not exist).</summary>
    void Move(string source, string destination);

    /// <summary>Flushes a directory's entries (a rename or a new file in it) to the device.</summary>
    void SyncDirectory(string directory);
}

/// <summary>A file written at explicit offsets, unbuffered: what <see cref="Write"/> accepted is in the OS, not in this process.</summary>
public interface IAppendFile : IDisposable
{
    /// <summary>The file's length.</summary>
    long Length { get; }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    void Write(ReadOnlySpan<byte> bytes, long offset);

    /// <summary>Flushes the file to the device (fsync). After it failed, the handle must not be trusted again.</summary>
    void FlushToDisk();

    /// <summary>Cuts or extends the file to <paramref name="length"/> bytes.</summary>
    void SetLength(long length);
}
