using System.Collections.Concurrent;
using System.Text.Json;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// Collections in folders under <c>DATA/collections/NAME</c>: <c>collection.json</c> (settings), <c>wal.log</c> and
/// <c>snapshot.jsonl</c> (and later model generations under <c>generations/</c>). Opening the store recovers every collection.
/// </summary>
/// <remarks>
/// A collection whose files cannot be read (a folder without collection.json, garbled settings or snapshot, a log
/// damaged in the middle, a model that no longer loads) is not opened and never touched: it is listed in
/// <see cref="Unavailable"/> with the reason, requests to it are refused with that reason, and creating a collection
/// of its name is a conflict; the other collections serve.
/// </remarks>
public sealed partial class EmbeddedCollectionStore : ICollectionStore
{
    private const string SettingsFile = "collection.json";
    private const string FirstUseMarker = ".initialised";
    private const string CollectionsFolder = "collections";

    private readonly ConcurrentDictionary<string, EmbeddedCollection> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unavailable = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _schema = new(1, 1);
    private readonly string _dataDirectory;
    private readonly string _root;
    private readonly IModelProvider _models;
    private readonly CollectionOptions _options;
    private readonly FileStream _lock;

    private EmbeddedCollectionStore(string dataDirectory, IModelProvider models, CollectionOptions options, FileStream lockFile)
    {
        _dataDirectory = dataDirectory;
        _root = Path.Combine(dataDirectory, CollectionsFolder);
        _models = models;
        _options = options;
        _lock = lockFile;
    }

    /// <summary>Opens (recovers) every collection under <paramref name="dataDirectory"/>, which no other process may hold.</summary>
    /// <exception cref="InvalidRequestException">Another process (another server) has the data directory open.</exception>
    public static EmbeddedCollectionStore Open(string dataDirectory, IModelProvider models, CollectionOptions? options = null)
    {
        var root = Path.Combine(dataDirectory, CollectionsFolder);
        Directory.CreateDirectory(root);
        var store = new EmbeddedCollectionStore(dataDirectory, models, options ?? new CollectionOptions(), Lock(dataDirectory));
        store._aliases = LoadAliases(dataDirectory);
        store._experiments = LoadExperiments(dataDirectory);
        foreach (var folder in Directory.EnumerateDirectories(store._root))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                TryDelete(folder); // a create or drop that never finished (staging and doomed folders): never acknowledged
                continue;
            }

            if (!CollectionSettings.IsValidName(name))
            {
                continue; // not ours: no collection can have this name
            }

            try
            {
                var (serving, lineage) = store.OpenGenerations(folder, name);
                store._collections[name] = serving;
                if (lineage is not null)
                {
                    store._lineages[name] = lineage;
                }
            }
            catch (Exception e) when (e is InvalidDataException or LogDamagedException or InvalidRequestException or IOException or UnauthorizedAccessException)
            {
                store._unavailable[name] = e.Message;
            }
        }

        return store;
    }

    /// <summary>Whether <paramref name="dataDirectory"/> holds a collection named <paramref name="name"/> (opened or not).</summary>
    public static bool Holds(string dataDirectory, string name) =>
        CollectionSettings.IsValidName(name) && Directory.Exists(Path.Combine(dataDirectory, CollectionsFolder, name));

    /// <summary>
    /// Collections on disk that could not be opened, by name, with the reason (the file and what is wrong with it).
    /// </summary>
    public IReadOnlyDictionary<string, string> Unavailable => _unavailable;

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tried again at the next start.
        }
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
        return _collections.IsEmpty && _unavailable.IsEmpty;
    }

    /// <inheritdoc />
    public async Task<bool> CreateAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        settings.Check();

        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CheckNoAliasConflict(name, dropping: false);
            if (_collections.TryGetValue(name, out var existing))
            {
                return existing.Settings.ToJson() == settings.ToJson()
                    ? false
                    : throw new CollectionConflictException(name);
            }

            var folder = Path.Combine(_root, name);
            if (_unavailable.TryGetValue(name, out var reason) || Directory.Exists(folder))
            {
                // Never replaced: it may hold the only copy of acknowledged writes.
                throw new CollectionConflictException(name, $"its folder {folder} exists but cannot be opened ({reason ?? "it appeared after start"})");
            }

            // The models must load before anything is written (an unknown model is the caller's mistake, not a folder).
            CollectionModels.Load(settings, _models, _options.Rankers);

            var staging = Path.Combine(_root, $".{name}.creating-{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(staging);
                DurableFiles.Replace(_options.Files, Path.Combine(staging, SettingsFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(settings.ToJson())));
                _options.Files.Move(staging, folder);
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                TryDelete(staging);
                throw new StorageFaultException($"collection '{name}' could not be created ({e.Message}); nothing was created", e);
            }

            _collections[name] = EmbeddedCollection.Open(folder, name, settings, _models, _options);
            try
            {
                _options.Files.SyncDirectory(_root);
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                // Created but maybe not durable yet: drop it again rather than acknowledge what a crash could undo.
                await DropLockedAsync(name, cancellationToken).ConfigureAwait(false);
                throw new StorageFaultException($"collection '{name}' could not be made durable ({e.Message}); nothing was created", e);
            }

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
            CheckNoAliasConflict(name, dropping: true);
            return await DropLockedAsync(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _schema.Release();
        }
    }

    // The folder is renamed away and the rename made durable before the collection closes: when either fails the
    // collection is still there and serving, and stays there after a restart.
    private async Task<bool> DropLockedAsync(string name, CancellationToken cancellationToken)
    {
        var open = _collections.ContainsKey(name);
        if (!open && !_unavailable.ContainsKey(name))
        {
            return false;
        }

        var folder = Path.Combine(_root, name);
        var doomed = Path.Combine(_root, $".{name}.dropping-{Guid.NewGuid():N}");
        try
        {
            _options.Files.Move(folder, doomed);
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            throw new StorageFaultException($"collection '{name}' could not be deleted ({e.Message}); it is unchanged", e);
        }

        try
        {
            _options.Files.SyncDirectory(_root);
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            try
            {
                _options.Files.Move(doomed, folder);
            }
            catch (Exception again) when (StorageFaultException.IsStorageFailure(again))
            {
                // Renamed away but not durably: it is gone now, and a crash could bring it back.
            }

            throw new StorageFaultException($"collection '{name}' could not be deleted durably ({e.Message})", e);
        }

        if (_collections.TryRemove(name, out var collection))
        {
            await CloseGenerationsAsync(name).ConfigureAwait(false);
            await collection.DisposeAsync().ConfigureAwait(false);
        }

        _unavailable.TryRemove(name, out _);
        try
        {
            StopLocked(name);
        }
        catch (StorageFaultException)
        {
            // The collection is gone; an experiment left naming it finds nothing to search and is ignored.
        }

        cancellationToken.ThrowIfCancellationRequested();
        TryDelete(doomed);
        return true;
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
                infos.Add(Info(collection.Name));
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
        Task.FromResult(Info(name));

    /// <inheritdoc />
    public Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default) =>
        WriteAsync(name, c => c.UpsertAsync(records, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default) =>
        WriteAsync(name, c => c.DeleteAsync(id, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Collection(name).Get(id));

    /// <inheritdoc />
    public async Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default)
    {
        var generation = ServingOf(name); // read first: a switch meanwhile leaves the number behind, never ahead
        var result = await Collection(name).SearchAsync(query, cancellationToken).ConfigureAwait(false);
        return result with { Generation = generation };
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default) =>
        Task.FromResult(Collection(name).Similar(id, top));

    /// <inheritdoc />
    public Task<Synonyms> SynonymsAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(Collection(name).Synonyms);

    /// <inheritdoc />
    public async Task SetSynonymsAsync(string name, Synonyms synonyms, CancellationToken cancellationToken = default)
    {
        var lineage = LineageOf(name);
        await lineage.Writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Collection(name).SetSynonyms(synonyms); // the file the generations share
            lineage.Previous?.UseSynonyms(synonyms);
            lineage.Building?.Collection.UseSynonyms(synonyms);
        }
        finally
        {
            lineage.Writes.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> SuggestAsync(string name, string prefix, int limit, Feedback.IPopularQueries? popular = null,
        CancellationToken cancellationToken = default)
    {
        var collection = Collection(name);
        return await collection.SuggestAsync(prefix, limit, popular is null ? null : p => popular.StartingWith(name, p, limit), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var name in _lineages.Keys)
        {
            await CloseGenerationsAsync(name).ConfigureAwait(false);
        }

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
    internal static FileStream Lock(string dataDirectory)
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

    // One consistent picture: a switch or rollback between the reads (the serving number changes first) reads again,
    // so the number, the settings and the build in progress always describe the same generation.
    private CollectionInfo Info(string name)
    {
        while (true)
        {
            var serving = ServingOf(name);
            var building = BuildingOf(name);
            var c = Collection(name);
            if (ServingOf(name) == serving)
            {
                return new(c.Name, c.Settings, c.Count, c.Dimension, c.BytesOnDisk, serving, building, BuildFailureOf(name));
            }
        }
    }

    private EmbeddedCollection Collection(string name) =>
        CollectionSettings.IsValidName(name) && _collections.TryGetValue(name, out var collection)
            ? collection
            : _unavailable.TryGetValue(name, out var reason)
                ? throw new CollectionUnavailableException(name, WithoutServerPaths(name, reason))
                : throw new CollectionNotFoundException(name);

    // Clients are told which file of the collection and what is wrong, not where the server keeps it.
    private string WithoutServerPaths(string name, string reason)
    {
        var folder = Path.Combine(_root, name);
        return reason.Replace(folder + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal)
            .Replace(folder, "its folder", StringComparison.Ordinal);
    }
}
