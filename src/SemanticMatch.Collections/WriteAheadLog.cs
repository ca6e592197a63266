using System.Buffers.Binary;
using System.IO.Hashing;
using System.Threading.Channels;

namespace SemanticMatch.Collections;

/// <summary>
/// An append-only log of a collection's writes. Each entry is framed as [length u32][CRC-32 u32][sequence i64][payload];
/// an append is acknowledged only after the file is flushed to disk, and appends that arrive together share one flush
/// (group commit). Entries are applied to memory in log order by the single committing task, after their flush.
/// </summary>
/// <remarks>
/// Reading stops at the first frame that is cut short or fails its checksum (a torn tail: it was never acknowledged)
/// and truncates the file there. A failed write is cut off again, so a later acknowledged entry never follows garbage.
/// </remarks>
internal sealed class WriteAheadLog : IAsyncDisposable
{
    private const int HeaderBytes = 16;
    private const int MaxPayloadBytes = 256 << 20;

    private readonly FileStream _file;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<long> _afterBatch;
    private readonly Task _committer;
    private long _sequence;

    private WriteAheadLog(FileStream file, long sequence, Action<long> afterBatch)
    {
        _file = file;
        _sequence = sequence;
        _afterBatch = afterBatch;
        _committer = Task.Run(CommitLoopAsync);
    }

    /// <summary>Bytes in the log.</summary>
    public long Length => _file.Length;

    /// <summary>Sequence number of the last entry written.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Reads every intact entry of the log at <paramref name="path"/> and cuts off a torn tail.</summary>
    public static List<(long Sequence, byte[] Payload)> Recover(string path)
    {
        var entries = new List<(long, byte[])>();
        if (!File.Exists(path))
        {
            return entries;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var header = new byte[HeaderBytes];
        long good = 0;
        while (true)
        {
            if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            {
                break;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var checksum = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            if (length > MaxPayloadBytes)
            {
                break;
            }

            var payload = new byte[length];
            if (file.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false) < payload.Length
                || Checksum(header.AsSpan(8, 8), payload) != checksum)
            {
                break;
            }

            entries.Add((BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)), payload));
            good = file.Position;
        }

        if (good < file.Length)
        {
            file.SetLength(good);
            file.Flush(flushToDisk: true);
        }

        return entries;
    }

    /// <summary>Opens the log for appending after <see cref="Recover"/>.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="sequence">The last sequence number in use (from the snapshot or the log).</param>
    /// <param name="afterBatch">Called on the committing task after each batch with the last sequence (e.g. to snapshot).</param>
    public static WriteAheadLog Open(string path, long sequence, Action<long> afterBatch)
    {
        // Not FileMode.Append: an append-mode stream cannot be cut back below its initial length.
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        file.Seek(0, SeekOrigin.End);
        return new WriteAheadLog(file, sequence, afterBatch);
    }

    /// <summary>Appends <paramref name="payload"/>; completes once it is on disk and applied.</summary>
    /// <exception cref="IOException">The log could not be written; nothing was applied.</exception>
    /// <param name="payload">The entry as written to the log.</param>
    /// <param name="apply">Applies the entry to memory; called in log order, after its flush, on the committing task.</param>
    /// <param name="cancellationToken">Stops waiting for room in the queue (an entry once queued is written).</param>
    public async Task AppendAsync(byte[] payload, Action apply, CancellationToken cancellationToken)
    {
        var pending = new Pending(payload, apply);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Empties the log (after a snapshot holds everything in it). Only from the committing task.</summary>
    public void Truncate()
    {
        _file.SetLength(0);
        _file.Position = 0;
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private static uint Checksum(ReadOnlySpan<byte> sequence, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(sequence);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 1024 && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (!TryWrite(batch))
            {
                continue;
            }

            foreach (var pending in batch)
            {
                try
                {
                    pending.Apply();
                    pending.Done.SetResult();
                }
                catch (Exception e)
                {
                    pending.Done.SetException(e);
                }
            }

            _afterBatch(_sequence);
        }
    }

    // Writes and flushes the batch; on failure cuts the file back and fails every entry of the batch.
    private bool TryWrite(List<Pending> batch)
    {
        var start = _file.Length;
        var sequence = _sequence;
        try
        {
            var header = new byte[HeaderBytes];
            foreach (var pending in batch)
            {
                pending.Sequence = ++sequence;
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)pending.Payload.Length);
                BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), pending.Sequence);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Checksum(header.AsSpan(8, 8), pending.Payload));
                _file.Write(header);
                _file.Write(pending.Payload);
            }

            var flushStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            _file.Flush(flushToDisk: true);
            CollectionMetrics.RecordFlush(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(flushStarted));
            Interlocked.Exchange(ref _sequence, sequence);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                _file.SetLength(start);
                _file.Position = start;
            }
            catch (IOException)
            {
                // The next recovery cuts the torn frame off.
            }

            foreach (var pending in batch)
            {
                pending.Done.SetException(new IOException($"the write-ahead log could not be written: {e.Message}", e));
            }

            return false;
        }
    }

    private sealed class Pending(byte[] payload, Action apply)
    {
        public byte[] Payload { get; } = payload;

        public Action Apply { get; } = apply;

        public long Sequence { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
