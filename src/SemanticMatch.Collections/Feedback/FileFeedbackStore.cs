using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Feedback;

/// <summary>
/// Feedback in <c>DATA/feedback/COLLECTION.jsonl</c>, one event per line, flushed to disk before an append completes;
/// the salt in <c>DATA/feedback/.salt</c>.
/// </summary>
/// <remarks>Thread-safe: appends are serialised per process (the data directory belongs to one process).</remarks>
public sealed class FileFeedbackStore : IFeedbackStore, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Uses the feedback folder of <paramref name="dataDirectory"/>.</summary>
    public FileFeedbackStore(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, "feedback");
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
                Storage.DurableFiles.Replace(Storage.LocalFiles.Instance, saltPath, stream => stream.Write(RandomNumberGenerator.GetBytes(32)));
            }

            return await File.ReadAllBytesAsync(saltPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Storage.StorageFaultException.IsStorageFailure(e))
        {
            throw new Storage.StorageFaultException($"the feedback salt could not be written ({e.Message})", e);
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(string collection, FeedbackEvent feedback, CancellationToken cancellationToken = default)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(feedback, s_json) + "\n");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(_directory);
            var file = new FileStream(PathOf(collection), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            await using (file.ConfigureAwait(false))
            {
                var start = file.Length;
                try
                {
                    file.Position = start;
                    await file.WriteAsync(EndsLine(file, start) ? line : [(byte)'\n', .. line], cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }
                catch (Exception e) when (Storage.StorageFaultException.IsStorageFailure(e))
                {
                    TryCut(file, start);
                    throw new Storage.StorageFaultException($"the feedback event could not be written ({e.Message}); it was not recorded", e);
                }
            }
        }
        catch (Exception e) when (Storage.StorageFaultException.IsStorageFailure(e))
        {
            throw new Storage.StorageFaultException($"the feedback log could not be opened ({e.Message}); the event was not recorded", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>A line cut short by a crash is skipped.</remarks>
    public async IAsyncEnumerable<FeedbackEvent> ReadAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = PathOf(collection);
        if (!File.Exists(path))
        {
            throw new InvalidRequestException($"no feedback logged for collection '{collection}' in {Path.GetDirectoryName(_directory)}");
        }

        await foreach (var line in File.ReadLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            FeedbackEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<FeedbackEvent>(line, s_json);
            }
            catch (JsonException)
            {
                continue;
            }

            if (e is not null)
            {
                yield return e;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private string PathOf(string collection) => Path.Combine(_directory, collection + ".jsonl");

    // A line cut short by an earlier failure is ended first, so the next event is never glued to it.
    private static bool EndsLine(FileStream file, long length)
    {
        if (length == 0)
        {
            return true;
        }

        file.Position = length - 1;
        var last = file.ReadByte();
        file.Position = length;
        return last == '\n';
    }

    private static void TryCut(FileStream file, long length)
    {
        try
        {
            file.SetLength(length);
        }
        catch (Exception e) when (Storage.StorageFaultException.IsStorageFailure(e))
        {
            // The next append ends the cut-short line first.
        }
    }
}
