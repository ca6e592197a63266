using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using SemanticMatch.Collections.Storage;

namespace SemanticMatch.Collections.Feedback;

/// <summary>
/// Traffic logs in <c>DATA/feedback/COLLECTION.jsonl</c>, one entry per line, flushed to disk before an append
/// completes; the salt in <c>DATA/feedback/.salt</c>.
/// </summary>
/// <remarks>Thread-safe: appends are serialised per process (the data directory belongs to one process).</remarks>
public sealed class FileFeedbackStore : IFeedbackStore, IDisposable
{
    private readonly string _directory;
    private readonly IStorageFiles _files;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Uses the feedback folder of <paramref name="dataDirectory"/>, writing through <paramref name="files"/>.</summary>
    public FileFeedbackStore(string dataDirectory, IStorageFiles? files = null)
    {
        _directory = Path.Combine(dataDirectory, "feedback");
        _files = files ?? LocalFiles.Instance;
    }

    /// <inheritdoc />
    public async Task<byte[]> SaltAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_directory);
        var saltPath = Path.Combine(_directory, ".salt");
        try
        {
            if (!File.Exists(saltPath))
            {
                // Whole or not at all: a salt cut short by a full disk would weaken every hash made with it.
                DurableFiles.Replace(_files, saltPath, stream => stream.Write(RandomNumberGenerator.GetBytes(32)));
            }

            return await File.ReadAllBytesAsync(saltPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            throw new StorageFaultException($"the feedback salt could not be written ({e.Message})", e);
        }
    }

    /// <inheritdoc />
    /// <remarks>One positional write and one flush for the whole batch; a refused write is cut back off the file.</remarks>
    public async Task AppendAsync(string collection, IReadOnlyList<TrafficEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(entry.ToJson()).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(_directory);
            var path = PathOf(collection);
            using var file = _files.OpenAppend(path);
            var start = file.Length;
            try
            {
                file.Write(EndsLine(path, start) ? bytes : [(byte)'\n', .. bytes], start);
                file.FlushToDisk();
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                TryCut(file, start);
                throw new StorageFaultException($"the traffic log could not be written ({e.Message}); nothing of it was recorded", e);
            }
        }
        catch (Exception e) when (e is not StorageFaultException && StorageFaultException.IsStorageFailure(e))
        {
            throw new StorageFaultException($"the traffic log could not be opened ({e.Message}); nothing was recorded", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>A line cut short by a crash is skipped.</remarks>
    public async IAsyncEnumerable<TrafficEntry> ReadAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = PathOf(collection);
        if (!File.Exists(path))
        {
            yield break;
        }

        await foreach (var line in File.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (TrafficEntry.Parse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Each log is rewritten without its old lines (atomically: a crash leaves the old file or the new one).</remarks>
    public async Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_directory))
        {
            return 0;
        }

        long pruned = 0;
        foreach (var path in Directory.EnumerateFiles(_directory, "*.jsonl"))
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
                var kept = lines.Where(line => TrafficEntry.Parse(line) is { } entry && entry.Time >= cutoff).ToList();
                if (kept.Count == lines.Length)
                {
                    continue;
                }

                pruned += lines.Length - kept.Count;
                var bytes = Encoding.UTF8.GetBytes(string.Concat(kept.Select(line => line + "\n")));
                DurableFiles.Replace(_files, path, stream => stream.Write(bytes));
            }
            finally
            {
                _gate.Release();
            }
        }

        return pruned;
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private string PathOf(string collection) => Path.Combine(_directory, collection + ".jsonl");

    // A line cut short by an earlier failure is ended first, so the next entry is never glued to it.
    private static bool EndsLine(string path, long length)
    {
        if (length == 0)
        {
            return true;
        }

        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Position = length - 1;
        return reader.ReadByte() == '\n';
    }

    private static void TryCut(IAppendFile file, long length)
    {
        try
        {
            file.SetLength(length);
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            // The next append ends the cut-short line first.
        }
    }
}
