using System.Threading.Channels;
using SemanticMatch.Collections.Storage;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// An append-only log of a collection's writes (<see cref="LogFrames"/>). Appends that arrive together are one group
/// commit: one frame, one write, one flush; each is acknowledged only after the flush, and applied to memory in log
/// order by the single committing task.
/// </summary>
/// <remarks>
/// Storage faults are an input, not a crash: a group commit whose write or flush failed is refused
/// (<see cref="StorageFaultException"/>), its sequence number is spent, and the handle that failed is dropped (a failed
/// fsync is not retried on it and assumed good). Before the next write the file is reopened and cut back to the last
/// acknowledged frame, so a refused frame never reaches the disk with a later one; while that cut fails, writes are
/// refused. The committing task outlives every fault, so the log accepts writes again once the fault clears.
/// </remarks>
internal sealed class WriteAheadLog : IAsyncDisposable
{
    private readonly IStorageFiles _files;
    private readonly string _path;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<long> _afterBatch;
    private readonly Task _committer;
    private IAppendFile? _file;
    private long _acknowledged;
    private long _sequence;

    private WriteAheadLog(IStorageFiles files, string path, long length, long sequence, Action<long> afterBatch)
    {
        _files = files;
        _path = path;
        _acknowledged = length;
        _sequence = sequence;
        _afterBatch = afterBatch;
        TryRepair(); // opens the file and cuts a torn tail off, as after any failed write
        _committer = Task.Run(CommitLoopAsync);
    }

    /// <summary>Bytes of acknowledged frames in the log.</summary>
    public long Length => Interlocked.Read(ref _acknowledged);

    /// <summary>The last sequence number spent (acknowledged or refused).</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Reads the log at <paramref name="path"/>: every entry with its frame's sequence number, and the intact length (before a torn tail).</summary>
    /// <exception cref="LogDamagedException">Damage is followed by intact frames: cutting it would lose acknowledged writes.</exception>
    public static (List<(long Sequence, byte[] Payload)> Entries, long Length) Recover(string path)
    {
        var scan = LogScan.Read(path);
        return scan.Damage.Count > 0
            ? throw new LogDamagedException(scan)
            : ([.. scan.Frames.SelectMany(f => f.Entries.Select(e => (f.Sequence, e)))], scan.IntactLength);
    }

    /// <summary>Opens the log for appending after <see cref="Recover"/>, cutting it to <paramref name="length"/> (a torn tail off).</summary>
    /// <param name="files">The file seam.</param>
    /// <param name="path">The log file.</param>
    /// <param name="length">Its intact length (from <see cref="Recover"/>).</param>
    /// <param name="sequence">The last sequence number in use (from the snapshot or the log).</param>
    /// <param name="afterBatch">Called on the committing task after each acknowledged batch with its sequence (e.g. to snapshot).</param>
    /// <remarks>
    /// When the file cannot be opened or cut now (a permission fault, a read-only disk), the log opens all the same and
    /// the collection serves its records: writes are refused until the file can be opened and cut back to
    /// <paramref name="length"/>, as after any failed write.
    /// </remarks>
    public static WriteAheadLog Open(IStorageFiles files, string path, long length, long sequence, Action<long> afterBatch) =>
        new(files, path, length, sequence, afterBatch);

    /// <summary>Appends <paramref name="payload"/>; completes once it is on disk and applied.</summary>
    /// <exception cref="StorageFaultException">The log could not be written; nothing was applied, and never will be.</exception>
    /// <param name="payload">The entry as written to the log.</param>
    /// <param name="apply">Applies the entry to memory; called in log order, after its flush, on the committing task.</param>
    /// <param name="cancellationToken">Stops waiting for room in the queue (an entry once queued is written or refused).</param>
    public async Task AppendAsync(byte[] payload, Action apply, CancellationToken cancellationToken)
    {
        var pending = new Pending(payload, apply);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Empties the log once a snapshot holds everything in it. Only from the committing task. When the cut fails, the
    /// frames left are all older than the snapshot (recovery skips them) and the next write cuts again first.
    /// </summary>
    public void Truncate()
    {
        Interlocked.Exchange(ref _acknowledged, 0);
        try
        {
            Handle().SetLength(0);
            Handle().FlushToDisk();
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            Drop();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        if (_file is null)
        {
            TryRepair(); // a refused frame not cut yet: cut it now, or it would be read back at the next start
        }

        _file?.Dispose();
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

            if (Write(batch) is { } refused)
            {
                foreach (var pending in batch)
                {
                    pending.Done.SetException(refused);
                }

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

            try
            {
                _afterBatch(Sequence);
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                // A failed snapshot leaves the log and the old snapshot as they were; the caller counts it.
            }
        }
    }

    // Writes the batch as one frame and flushes it; null when acknowledged, else why it was refused.
    private StorageFaultException? Write(List<Pending> batch)
    {
        var sequence = Interlocked.Increment(ref _sequence); // spent even when refused: never reused
        var frame = LogFrames.Batch(sequence, batch.Select(p => p.Payload).ToList());
        try
        {
            var file = Handle();
            var flushStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            file.Write(frame, Length);
            file.FlushToDisk();
            CollectionMetrics.RecordFlush(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(flushStarted));
            Interlocked.Add(ref _acknowledged, frame.Length);
            return null;
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            Drop();
            TryRepair(); // cut the refused frame off now, so it is gone even if the process dies next
            CollectionMetrics.RecordRefusedWrite();
            return new StorageFaultException($"the collection's log could not be written ({e.Message}); nothing of this write was applied", e);
        }
    }

    // The open handle, reopened and cut back to the acknowledged frames after a failure.
    private IAppendFile Handle()
    {
        if (_file is null)
        {
            var file = _files.OpenAppend(_path);
            try
            {
                file.SetLength(Length);
                file.FlushToDisk();
            }
            catch
            {
                file.Dispose();
                throw;
            }

            _file = file;
        }

        return _file;
    }

    private void TryRepair()
    {
        try
        {
            Handle();
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            // Still failing: the next write tries again before writing anything.
        }
    }

    // Forgets a handle that failed: whatever it buffered or flushed is not trusted.
    private void Drop()
    {
        try
        {
            _file?.Dispose();
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            // Closing failed too: the handle is gone either way.
        }

        _file = null;
    }

    private sealed class Pending(byte[] payload, Action apply)
    {
        public byte[] Payload { get; } = payload;

        public Action Apply { get; } = apply;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
