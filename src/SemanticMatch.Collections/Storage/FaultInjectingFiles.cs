namespace SemanticMatch.Collections.Storage;

/// <summary>A file operation that can be made to fail.</summary>
public enum StorageOperation
{
    /// <summary>Opening a file to write (the log, a snapshot or settings file).</summary>
    Open,

    /// <summary>Writing bytes (a log append, a snapshot or settings file).</summary>
    Write,

    /// <summary>Flushing a file to the device.</summary>
    Fsync,

    /// <summary>Cutting a file back.</summary>
    Truncate,

    /// <summary>Renaming a file or directory.</summary>
    Rename,

    /// <summary>Flushing a directory's entries.</summary>
    DirectorySync,
}

/// <summary>How an injected failure fails, as the OS reports it.</summary>
public enum StorageError
{
    /// <summary>ENOSPC: the disk is full.</summary>
    NoSpace,

    /// <summary>EIO: the device failed.</summary>
    IoError,

    /// <summary>EPERM: the file or directory may not be changed (e.g. immutable).</summary>
    PermissionDenied,
}

/// <summary>
/// Files that fail at chosen points, over real ones: armed failures (<see cref="Fail"/>: the next N operations of a kind,
/// or every one until <see cref="Clear"/>, like a disk that is full until space is freed) and seeded random ones
/// (<see cref="FailAtRandom"/>). A failed write leaves half its bytes behind and a failed fsync leaves all of them, as
/// real devices may; so the store must never trust what a failed call left.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class FaultInjectingFiles(IStorageFiles inner) : IStorageFiles
{
    private readonly Lock _lock = new();
    private readonly Dictionary<StorageOperation, (StorageError Error, int Times, string? Path)> _armed = [];
    private Random? _random;
    private double _rate;
    private StorageError[] _randomErrors = [];

    /// <summary>How many failures were injected so far.</summary>
    public int Injected { get; private set; }

    /// <summary>
    /// Makes the next <paramref name="times"/> operations of kind <paramref name="operation"/> fail (int.MaxValue: until
    /// cleared); with <paramref name="pathContains"/>, only those on a path that contains it.
    /// </summary>
    public void Fail(StorageOperation operation, StorageError error, int times = int.MaxValue, string? pathContains = null)
    {
        lock (_lock)
        {
            _armed[operation] = (error, times, pathContains);
        }
    }

    /// <summary>Makes each operation fail with probability <paramref name="rate"/>, drawn from <paramref name="seed"/>.</summary>
    public void FailAtRandom(int seed, double rate, params StorageError[] errors)
    {
        lock (_lock)
        {
            _random = new Random(seed);
            _rate = rate;
            _randomErrors = errors.Length > 0 ? errors : Enum.GetValues<StorageError>();
        }
    }

    /// <summary>Stops every injected failure (the fault cleared: space freed, the device back).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _armed.Clear();
            _random = null;
        }
    }

    /// <inheritdoc />
    public IAppendFile OpenAppend(string path)
    {
        Check(StorageOperation.Open, path);
        return new FaultyAppend(this, path, inner.OpenAppend(path));
    }

    /// <inheritdoc />
    public Stream Create(string path)
    {
        Check(StorageOperation.Open, path);
        return new FaultyStream(this, path, inner.Create(path));
    }

    /// <inheritdoc />
    public void FlushToDisk(Stream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var faulty = (FaultyStream)file;
        Check(StorageOperation.Fsync, faulty.Path);
        inner.FlushToDisk(faulty.Inner);
    }

    /// <inheritdoc />
    public void Move(string source, string destination)
    {
        Check(StorageOperation.Rename, source);
        inner.Move(source, destination);
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        Check(StorageOperation.DirectorySync, directory);
        inner.SyncDirectory(directory);
    }

    /// <summary>The failure to inject into this operation, or null.</summary>
    private Exception? Draw(StorageOperation operation, string path)
    {
        lock (_lock)
        {
            StorageError? error = null;
            if (_armed.TryGetValue(operation, out var armed) && armed.Times > 0 && (armed.Path is null || path.Contains(armed.Path, StringComparison.Ordinal)))
            {
                error = armed.Error;
                _armed[operation] = armed with { Times = armed.Times == int.MaxValue ? int.MaxValue : armed.Times - 1 };
            }
            else if (_random is not null && _random.NextDouble() < _rate)
            {
                error = _randomErrors[_random.Next(_randomErrors.Length)];
            }

            if (error is not { } chosen)
            {
                return null;
            }

            Injected++;
            return chosen switch
            {
                StorageError.NoSpace => new IOException($"No space left on device (injected, {operation})", StorageFaultException.NoSpaceErrno),
                StorageError.IoError => new IOException($"Input/output error (injected, {operation})", 5),
                _ => new UnauthorizedAccessException($"Operation not permitted (injected, {operation})"),
            };
        }
    }

    private void Check(StorageOperation operation, string path)
    {
        if (Draw(operation, path) is { } failure)
        {
            throw failure;
        }
    }

    private sealed class FaultyAppend(FaultInjectingFiles faults, string path, IAppendFile file) : IAppendFile
    {
        public long Length => file.Length;

        public void Write(ReadOnlySpan<byte> bytes, long offset)
        {
            if (faults.Draw(StorageOperation.Write, path) is { } failure)
            {
                file.Write(bytes[..(bytes.Length / 2)], offset); // a short write reached the file before the error
                throw failure;
            }

            file.Write(bytes, offset);
        }

        public void FlushToDisk()
        {
            faults.Check(StorageOperation.Fsync, path); // the bytes are in the file all the same
            file.FlushToDisk();
        }

        public void SetLength(long length)
        {
            faults.Check(StorageOperation.Truncate, path);
            file.SetLength(length);
        }

        public void Dispose() => file.Dispose();
    }

    private sealed class FaultyStream(FaultInjectingFiles faults, string path, Stream inner) : Stream
    {
        public Stream Inner => inner;

        public string Path => path;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            faults.Check(StorageOperation.Write, path);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
