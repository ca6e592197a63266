using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace SemanticMatch.Collections.Feedback;

/// <summary>How the service keeps its traffic log.</summary>
public sealed record TrafficLogOptions
{
    /// <summary>Whether searches are logged at all.</summary>
    public bool LogSearches { get; init; } = true;

    /// <summary>Whether the query text is kept; when false a search is logged without it (and gives no judgments).</summary>
    public bool LogQueryText { get; init; } = true;

    /// <summary>How long entries are kept; older ones are deleted at start and every <see cref="PruneEvery"/>.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(90);

    /// <summary>How often old entries are deleted.</summary>
    public TimeSpan PruneEvery { get; init; } = TimeSpan.FromHours(6);
}

/// <summary>
/// The service's traffic log: every search answer is logged with its query id, and the events shoppers send refer to
/// it. Entries go through one writer that commits whatever is waiting in one append (group commit): a search is logged
/// without its answer waiting for the disk (a crash can lose the last searches), events are acknowledged only once
/// they are durable, and an event is never written before the search it follows.
/// </summary>
/// <remarks>
/// Thread-safe. It also keeps, per collection asked for completions, the tally of its popular queries: read from the
/// log in the background at the first completion asked for, then counted as searches are logged here (on PostgreSQL
/// another replica's searches are seen at the next start).
/// </remarks>
public sealed class TrafficLog : IAsyncDisposable, IPopularQueries
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Popular> _popular = new(StringComparer.Ordinal);
    private readonly IFeedbackStore _store;
    // Bounded, so a store that is down cannot fill memory: beyond it searches go unlogged (counted) and events wait.
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task _writer;
    private readonly Task _pruner;
    private readonly CancellationTokenSource _stopping = new();
    private byte[]? _salt;

    /// <summary>Starts the writer (and the pruning of old entries) over <paramref name="store"/>.</summary>
    public TrafficLog(IFeedbackStore store, TrafficLogOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        Options = options ?? new TrafficLogOptions();
        _writer = Task.Run(WriteAsync);
        _pruner = Task.Run(PruneAsync);
    }

    /// <summary>The settings in force.</summary>
    public TrafficLogOptions Options { get; }

    /// <summary>The store entries are kept in.</summary>
    public IFeedbackStore Store => _store;

    /// <summary>Searches whose log entry could not be written (the storage refused it, or 100,000 entries were waiting).</summary>
    public long LostSearches => Interlocked.Read(ref _lostSearches);

    private long _lostSearches;

    /// <summary>A new query id: 16 random bytes in hex.</summary>
    public static string NewQueryId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The session id as stored: HMAC-SHA-256 with the store's secret salt, so the log leaks no session.</summary>
    public async ValueTask<string?> HashSessionAsync(string? session, CancellationToken cancellationToken)
    {
        if (session is null)
        {
            return null;
        }

        _salt ??= await _store.SaltAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(session)));
    }

    /// <summary>Queues a search for the log (query text dropped when its logging is off); does not wait for the disk.</summary>
    public void LogSearch(string collection, LoggedSearch search)
    {
        if (!Options.LogSearches)
        {
            return;
        }

        var kept = Options.LogQueryText ? search : search with { Query = null, Searched = null };
        var entry = new TrafficEntry(DateTimeOffset.UtcNow, kept, null);
        if (!_queue.Writer.TryWrite(new Pending(collection, entry, null)))
        {
            Interlocked.Increment(ref _lostSearches);
            return;
        }

        Tally(collection, entry);
    }

    /// <inheritdoc />
    /// <remarks>The first call for a collection starts reading its log and answers from what was counted so far.</remarks>
    public IReadOnlyList<PopularQuery> StartingWith(string collection, string prefix, int limit)
    {
        ArgumentNullException.ThrowIfNull(collection);
        if (!_popular.TryGetValue(collection, out var popular))
        {
            var added = new Popular(new PopularQueryTable(), DateTimeOffset.UtcNow);
            popular = _popular.GetOrAdd(collection, added);
            if (ReferenceEquals(popular, added))
            {
                _ = Task.Run(() => LoadPopularAsync(collection, added));
            }
        }

        return popular.Table.StartingWith(prefix, limit);
    }

    /// <summary>Appends an entry of events (and maybe the search they follow); completes once it is durable.</summary>
    /// <exception cref="Storage.StorageFaultException">The storage refused it: nothing of it was recorded.</exception>
    public async Task AppendAsync(string collection, TrafficEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Pending(collection, entry, done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Tally(collection, entry);
    }

    // Counts a logged search in the collection's tally, if it has one. Each entry is counted once: by the tally's
    // reading of the log when it is older than the tally, here when it is not.
    private void Tally(string collection, TrafficEntry entry)
    {
        if (entry.Search is { } search && _popular.TryGetValue(collection, out var popular) && entry.Time >= popular.Since)
        {
            popular.Table.Count(search);
        }
    }

    private async Task LoadPopularAsync(string collection, Popular popular)
    {
        try
        {
            await foreach (var entry in _store.ReadAsync(collection, _stopping.Token).ConfigureAwait(false))
            {
                if (entry.Search is { } search && entry.Time < popular.Since)
                {
                    popular.Table.Count(search);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopping, or the log could not be read (the disk, the database): completions go on from the searches
            // counted since, as they would for a new collection.
        }
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pruner.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped while waiting for the next pruning
        }

        _stopping.Dispose();
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 4096 && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            // In arrival order per collection: a search is written no later than the events that follow it.
            foreach (var group in batch.GroupBy(p => p.Collection, StringComparer.Ordinal))
            {
                var entries = group.ToList();
                try
                {
                    await _store.AppendAsync(group.Key, entries.Select(p => p.Entry).ToList()).ConfigureAwait(false);
                    entries.ForEach(p => p.Done?.TrySetResult());
                }
                catch (Exception e)
                {
                    foreach (var p in entries)
                    {
                        if (p.Done is null)
                        {
                            Interlocked.Increment(ref _lostSearches);
                        }
                        else
                        {
                            p.Done.TrySetException(e);
                        }
                    }
                }
            }
        }
    }

    private async Task PruneAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _store.PruneAsync(DateTimeOffset.UtcNow - Options.Retention, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Tried again at the next round; old entries only cost space meanwhile.
            }

            await Task.Delay(Options.PruneEvery, _stopping.Token).ConfigureAwait(false);
        }
    }

    private sealed record Pending(string Collection, TrafficEntry Entry, TaskCompletionSource? Done);

    // A collection's tally of popular queries, and when it was made (older entries are read from the log).
    private sealed record Popular(PopularQueryTable Table, DateTimeOffset Since);
}
