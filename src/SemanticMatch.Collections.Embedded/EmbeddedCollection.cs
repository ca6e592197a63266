using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// A live collection held in memory (records, BM25, vectors) and made durable by a write-ahead log and snapshots in its
/// folder. Writes are embedded first, then logged, flushed and applied in log order; a write is acknowledged only once
/// it is on disk and visible to searches.
/// </summary>
/// <remarks>Thread-safe: searches run concurrently and see each write whole (a reader-writer lock guards the indexes).</remarks>
public sealed partial class EmbeddedCollection : IAsyncDisposable
{
    private readonly Dictionary<string, Stored> _records = new(StringComparer.Ordinal);
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly ITextEncoder _encoder;
    private readonly CollectionSearcher _searcher;
    private readonly string _directory;
    private readonly string _synonymsDirectory;
    private readonly CollectionOptions _options;
    private readonly IVectorIndex _vectors;
    private readonly Bm25Index _keyword;
    private WriteAheadLog? _log;
    private long _snapshotRetryAfterBytes;
    private bool _closed;

    private EmbeddedCollection(string directory, string synonymsDirectory, string name, CollectionSettings settings, CollectionModels models,
        CollectionOptions options)
    {
        _directory = directory;
        _synonymsDirectory = synonymsDirectory;
        Name = name;
        Settings = settings;
        _encoder = models.Encoder;
        _searcher = new CollectionSearcher(name, settings, models);
        _keyword = Bm25Index.CreateInMemory(settings.Language);
        _options = options;
        _vectors = settings.VectorIndex == VectorIndexKind.Hnsw
            ? new HnswVectorIndex(models.Encoder.Dimension, settings.Metric)
            : new ExactVectorIndex(models.Encoder.Dimension, settings.Metric);
    }

    /// <summary>The collection's name.</summary>
    public string Name { get; }

    /// <summary>Its settings.</summary>
    public CollectionSettings Settings { get; }

    /// <summary>Vector length of its model.</summary>
    public int Dimension => _encoder.Dimension;

    /// <summary>Number of records.</summary>
    public int Count => Read(() => _records.Count);

    /// <summary>Bytes of its files on disk.</summary>
    public long BytesOnDisk
    {
        get
        {
            long bytes;
            try
            {
                bytes = new DirectoryInfo(_directory).EnumerateFiles().Sum(SizeOf);
            }
            catch (DirectoryNotFoundException)
            {
                throw new CollectionNotFoundException(Name); // dropped meanwhile
            }

            return Directory.Exists(_directory) ? bytes : throw new CollectionNotFoundException(Name);

            // A file can vanish between listing and sizing it: a snapshot's temporary file renamed, or the collection dropped.
            static long SizeOf(FileInfo file)
            {
                try
                {
                    return file.Length;
                }
                catch (FileNotFoundException)
                {
                    return 0;
                }
            }
        }
    }

    /// <summary>
    /// Opens the collection in <paramref name="directory"/>: loads the snapshot, replays the log, drops a torn tail. Its
    /// synonyms are in <paramref name="synonymsDirectory"/> (shared by a collection's generations; default: the same folder).
    /// </summary>
    /// <exception cref="InvalidRequestException">Its model or re-ranker cannot be loaded.</exception>
    public static EmbeddedCollection Open(string directory, string name, CollectionSettings settings, IModelProvider models,
        CollectionOptions? options = null, string? synonymsDirectory = null)
    {
        options ??= new CollectionOptions();
        var collection = new EmbeddedCollection(directory, synonymsDirectory ?? directory, name, settings, CollectionModels.Load(settings, models, options.Rankers), options);
        try
        {
            collection.LoadSynonyms();
            collection.Recover();
        }
        catch
        {
            collection.CloseIndexes(); // Recover opens the log last: a failure leaves none to wait for
            throw;
        }

        return collection;
    }

    /// <summary>Adds or replaces records; completes when the batch is durable and searchable.</summary>
    /// <exception cref="InvalidRequestException">A record has no text in the collection's fields, or an id repeats.</exception>
    public async Task<int> UpsertAsync(IReadOnlyList<Record> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return 0;
        }

        var vectors = _searcher.Embed(records, cancellationToken);
        await AppendAsync(LogEntry.Upsert(records.Select((r, i) => new Stored(r, vectors[i]))), cancellationToken).ConfigureAwait(false);
        return records.Count;
    }

    /// <summary>Deletes a record; false when it is not there. Completes when the deletion is durable.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        if (Get(id) is null)
        {
            return false;
        }

        await AppendAsync(LogEntry.Delete([id]), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every record id, at this moment.</summary>
    internal List<string> Ids() => Read(() => _records.Keys.ToList());

    /// <summary>The records of <paramref name="ids"/> that are there, with their private fields (to copy them whole).</summary>
    internal List<Record> Whole(IEnumerable<string> ids) =>
        Read(() => ids.Select(id => _records.GetValueOrDefault(id)?.Record).OfType<Record>().ToList());

    /// <summary>The record (without private fields), or null.</summary>
    public Record? Get(string id) =>
        Read(() => _records.TryGetValue(id, out var stored) ? stored.Record.Without(_searcher.PrivateFields) : null);

    /// <summary>Searches the collection through the engine's pipeline.</summary>
    /// <remarks>
    /// The indexes are read under the lock one retrieval call at a time, never across an await: a write may land
    /// between two calls of one search (as between two queries of the PostgreSQL store), and a hit deleted meanwhile is
    /// left out.
    /// </remarks>
    /// <exception cref="InvalidRequestException">The query has nothing to match, or re-ranking was asked of a collection without a re-ranker.</exception>
    public Task<CollectionSearchResult> SearchAsync(CollectionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _searcher.SearchAsync(query, Count, filters => new LockedRetrieval(this, new IndexRetrieval(_keyword, _vectors, Accepting(filters))), Synonyms,
            cancellationToken);

        Func<string, bool>? Accepting(IReadOnlyList<FieldFilter> filters) =>
            filters.Count == 0 ? null : id => filters.All(f => f.Accepts(_records[id].Record));
    }

    /// <summary>The records nearest to record <paramref name="id"/> by vector (itself excluded); null when it is not there.</summary>
    public IReadOnlyList<CollectionHit>? Similar(string id, int top) => Read(() =>
    {
        if (!_records.TryGetValue(id, out var stored))
        {
            return null;
        }

        var nearest = _vectors.Search(stored.Vector, Math.Min(top + 1, _records.Count));
        return _searcher.Similar(id, nearest, top, nearest.Select(h => _records.GetValueOrDefault(h.ProductId)?.Record).ToList());
    });

    /// <summary>
    /// Finishes the writes already queued, waits for running searches, then closes; later calls answer as if the
    /// collection did not exist (it is being dropped or the service is stopping).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }

        CloseIndexes();
    }

    // Waits for running searches, then closes the indexes; later calls answer as if the collection did not exist.
    private void CloseIndexes()
    {
        _lock.EnterWriteLock();
        try
        {
            _closed = true;
            _vectors.Dispose();
            _keyword.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private WriteAheadLog Log => _log ?? throw new InvalidOperationException("the collection is not open");

    // The entry is serialised once for the log and applied to memory as it is (never parsed back from the log bytes).
    private async Task AppendAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await Log.AppendAsync(JsonSerializer.SerializeToUtf8Bytes(entry, FileJson), () => Apply(entry, commit: true), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new CollectionNotFoundException(Name);
        }
    }

    // Reads under the lock, which is never held across an await (ReaderWriterLockSlim belongs to the thread that took it).
    private T Read<T>(Func<T> read)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfClosed();
            return read();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    // Under the lock: a closed collection has disposed its indexes.
    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new CollectionNotFoundException(Name);
        }
    }

    /// <summary>The in-process retrieval of one search, each call under the collection's read lock.</summary>
    private sealed class LockedRetrieval(EmbeddedCollection owner, IndexRetrieval inner) : ICollectionRetrieval
    {
        public Core.Similarity.SimilarityMetric Metric => inner.Metric;

        public ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken) =>
            Now(() => inner.Keyword(prepared, k), cancellationToken);

        public ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken) =>
            Now(() => inner.Dense(query, k), cancellationToken);

        public ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            Now(() => inner.KeywordScores(prepared, ids), cancellationToken);

        public ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            Now(() => inner.DenseScores(query, ids), cancellationToken);

        public ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken) =>
            Now(() => inner.ExplainTerms(prepared, id), cancellationToken);

        public ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken) =>
            Now(() => inner.KeywordCount(prepared), cancellationToken);

        public ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken) =>
            Now(() => inner.CorrectSpelling(normalized), cancellationToken);

        public ValueTask<IReadOnlyList<Record?>> RecordsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            Now<IReadOnlyList<Record?>>(() => ids.Select(id => owner._records.GetValueOrDefault(id)?.Record).ToList(), cancellationToken);

        private ValueTask<T> Now<T>(Func<T> read, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(owner.Read(read));
        }
    }

    /// <summary>A record and its vector, as held in memory, the log and snapshots.</summary>
    internal sealed record Stored(Record Record, float[] Vector);
}
