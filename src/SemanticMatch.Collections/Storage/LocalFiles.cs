using Microsoft.Win32.SafeHandles;

namespace SemanticMatch.Collections.Storage;

/// <summary>The real file system.</summary>
public sealed class LocalFiles : IStorageFiles
{
    /// <summary>The one instance.</summary>
    public static LocalFiles Instance { get; } = new();

    private LocalFiles()
    {
    }

    /// <inheritdoc />
    public IAppendFile OpenAppend(string path) =>
        new Handle(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read));

    /// <inheritdoc />
    public Stream Create(string path) => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);

    /// <inheritdoc />
    public void FlushToDisk(Stream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        ((FileStream)file).Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public void Move(string source, string destination)
    {
        if (Directory.Exists(source))
        {
            Directory.Move(source, destination);
        }
        else
        {
            File.Move(source, destination, overwrite: true);
        }
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory) => DurableFiles.SyncDirectory(directory);

    private sealed class Handle(SafeFileHandle handle) : IAppendFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public void Write(ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(handle, bytes, offset);

        public void FlushToDisk() => RandomAccess.FlushToDisk(handle);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Dispose() => handle.Dispose();
    }
}
