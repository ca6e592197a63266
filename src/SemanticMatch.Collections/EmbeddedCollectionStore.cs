using System.Collections.Concurrent;
using SemanticMatch.Core;

namespace SemanticMatch.Collections;

/// <summary>
/// Collections in folders under <c>DATA/collections/NAME</c>: <c>collection.json</c> (settings), <c>wal.log</c> and
/// <c>snapshot.jsonl</c>. Opening the store recovers every collection.
/// </summary>
public sealed class EmbeddedCollectionStore : ICollectionStore
{
    private const string SettingsFile = "collection.json";
    private const string FirstUseMarker = ".initialised";

    private readonly ConcurrentDictionary<string, EmbeddedCollection> _collections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _schema = new(1, 1);
    private readonly string _dataDirectory;
    private readonly string _root;
    private readonly IModelProvider _models;
    private readonly CollectionOptions _options;
    private readonly FileStream _lock;

    private EmbeddedCollectionStore(string dataDirectory, IModelProvider models, CollectionOptions options, FileStream lockFile)
    {
        _dataDirectory = dataDirectory;
        _root = Path.Combine(dataDirectory, "collections");
        _models = models;
        _options = options;
        _lock = lockFile;
    }

    /// <summary>Opens (recovers) every collection under <paramref name="dataDirectory"/>, which no other process may hold.</summary>
    /// <exception cref="InvalidRequestException">Another process (another server) has the data directory open.</exception>
    public static EmbeddedCollectionStore Open(string dataDirectory, IModelProvider models, CollectionOptions? options = null)
    {
        var root = Path.Combine(dataDirectory, "collections");
        Directory.CreateDirectory(root);
        var store = new EmbeddedCollectionStore(dataDirectory, models, options ?? new CollectionOptions(), Lock(dataDirectory));
        foreach (var folder in Directory.EnumerateDirectories(store._root))
        {
            var name = Path.GetFileName(folder);
            var settingsPath = Path.Combine(folder, SettingsFile);
            if (!CollectionSettings.IsValidName(name) || !File.Exists(settingsPath))
            {
                continue; // a half-created or half-deleted collection: never acknowledged
            }

            var settings = CollectionSettings.FromJson(File.ReadAllText(settingsPath));
            store._collections[name] = EmbeddedCollection.Open(folder, name, settings, models, store._options);
        }

        return store;
    }

    /// <inheritdoc />
    public async Task<bool> FirstUseAsync(CancellationToken cancellationToken = default)
    {
        var marker = Path.Combine(_dataDirectory, FirstUseMarker);
        if (File.Exists(marker))
        {
            return false;
        }

        await File.WriteAllTextAsync(marker, string.Empty, cancellationToken).ConfigureAwait(false);
        return _collections.IsEmpty;
    }

    /// <inheritdoc />
    public async Task<bool> CreateAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        settings.Check();

        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collections.TryGetValue(name, out var existing))
            {
                return existing.Settings.ToJson() == settings.ToJson()
                    ? false
                    : throw new CollectionConflictException(name);
            }

            var folder = Path.Combine(_root, name);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true); // left by a create or drop that never finished
            }

            // The models must load before anything is written (an unknown model is the caller's mistake, not a folder).
            CollectionModels.Load(settings, _models, _options.Rankers);

            var staging = Path.Combine(_root, $".{name}.creating-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                DurableFiles.Replace(Path.Combine(staging, SettingsFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(settings.ToJson())));
                Directory.Move(staging, folder);
                DurableFiles.SyncDirectory(_root);
            }
            catch
            {
                Directory.Delete(staging, recursive: true);
                throw;
            }

            _collections[name] = EmbeddedCollection.Open(folder, name, settings, _models, _options);
            return true;
        }
        finally
        {
            _schema.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> DropAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_collections.TryRemove(name, out var collection))
            {
                return false;
            }

            await collection.DisposeAsync().ConfigureAwait(false);
            var folder = Path.Combine(_root, name);
            var doomed = Path.Combine(_root, $".{name}.dropping-{Guid.NewGuid():N}");
            Directory.Move(folder, doomed);
            DurableFiles.SyncDirectory(_root);
            Directory.Delete(doomed, recursive: true);
            return true;
        }
        finally
        {
            _schema.Release();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CollectionInfo>>(List());

    private List<CollectionInfo> List()
    {
        var infos = new List<CollectionInfo>();
        foreach (var collection in _collections.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            try
            {
                infos.Add(Info(collection));
            }
            catch (CollectionNotFoundException)
            {
                // dropped while listing
            }
        }

        return infos;
    }

    /// <inheritdoc />
    public Task<CollectionInfo> DescribeAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(Info(Collection(name)));

    /// <inheritdoc />
    public Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default) =>
        Collection(name).UpsertAsync(records, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default) =>
        Collection(name).DeleteAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Collection(name).Get(id));

    /// <inheritdoc />
    public Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(Collection(name).Search(query, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default) =>
        Task.FromResult(Collection(name).Similar(id, top));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var collection in _collections.Values)
        {
            await collection.DisposeAsync().ConfigureAwait(false);
        }

        _collections.Clear();
        _schema.Dispose();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    // Two processes appending to one write-ahead log would corrupt it: the first holds an exclusive lock (flock on
    // Linux, released by the kernel when the process dies, so a killed server never leaves it stale).
    private static FileStream Lock(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidRequestException(
                $"{dataDirectory} is in use by another process (a running 'semmatch serve'?); one data directory serves one process");
        }
    }

    private static CollectionInfo Info(EmbeddedCollection c) => new(c.Name, c.Settings, c.Count, c.Dimension, c.BytesOnDisk);

    private EmbeddedCollection Collection(string name) =>
        CollectionSettings.IsValidName(name) && _collections.TryGetValue(name, out var collection)
            ? collection
            : throw new CollectionNotFoundException(name);
}
