using System.Text.Json;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// Model generations: a collection's records re-embedded with new settings (a new model, fields, metric, vector index,
/// language) in the background while the current generation serves, then switched to atomically; the previous
/// generation stays open for an immediate rollback.
/// </summary>
/// <remarks>
/// Generation 1 lives in the collection's folder, generation N in <c>generations/N</c> under it; <c>generations.json</c>
/// names the one serving and the previous one. It is replaced atomically (temporary file, fsync, rename), which is the
/// switch: a crash before it serves the old generation, after it the new one, and a generation folder it does not name
/// (a build a crash interrupted) is deleted at the next start. While more than one generation is open every write
/// reaches each of them before it is acknowledged, so any of them holds every acknowledged write.
/// </remarks>
public sealed partial class EmbeddedCollectionStore
{
    private const string GenerationsFile = "generations.json";
    private const string GenerationsFolder = "generations";
    private const int BuildBatch = 256;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lineage> _lineages = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<int> StartGenerationAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Check();
        var lineage = LineageOf(name);
        ThrowIfBuilding(name, lineage); // before waiting: a build's batch holds the lock while it embeds
        await lineage.Writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfBuilding(name, lineage);
            CollectionModels.Load(settings, _models, _options.Rankers); // an unknown model is the caller's mistake, found before anything is written
            var number = Math.Max(lineage.Serving, lineage.PreviousNumber) + 1;
            var folder = GenerationFolder(name, number);
            EmbeddedCollection building;
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true); // a build that failed earlier and could not be removed then
                }

                Directory.CreateDirectory(folder);
                DurableFiles.Replace(_options.Files, Path.Combine(folder, SettingsFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(settings.ToJson())));
                _options.Files.SyncDirectory(Path.GetDirectoryName(folder)!);
                _options.Files.SyncDirectory(Path.Combine(_root, name));
                building = EmbeddedCollection.Open(folder, name, settings, _models, _options, Path.Combine(_root, name));
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                TryDelete(folder);
                throw new StorageFaultException($"collection '{name}': generation {number} could not be started ({e.Message}); generation {lineage.Serving} serves on", e);
            }

            // Writes from now on reach both generations; those already running finish first, so the ids read next
            // hold every write that reached only the serving generation.
            await lineage.EnterSharedWritesAsync().ConfigureAwait(false);
            var build = new Build(number, building, _collections[name].Ids());
            lineage.Building = build;
            build.Task = Task.Run(() => BuildAsync(name, lineage, build), CancellationToken.None); // outlives the request that started it
            return number;
        }
        finally
        {
            lineage.Writes.Release();
        }
    }

    private static void ThrowIfBuilding(string name, Lineage lineage)
    {
        if (lineage.Building is { } running)
        {
            throw new GenerationConflictException($"collection '{name}': generation {running.Number} is still being built; wait for it to finish");
        }
    }

    /// <inheritdoc />
    public async Task<int> RollbackAsync(string name, CancellationToken cancellationToken = default)
    {
        var lineage = LineageOf(name);
        await lineage.Writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (lineage.Previous is not { } previous)
            {
                throw new GenerationConflictException($"collection '{name}' has no previous generation to roll back to");
            }

            var serving = _collections[name];
            WritePointer(name, lineage.PreviousNumber, lineage.Serving);
            (lineage.Serving, lineage.PreviousNumber) = (lineage.PreviousNumber, lineage.Serving);
            lineage.Previous = serving;
            _collections[name] = previous;
            return lineage.Serving;
        }
        finally
        {
            lineage.Writes.Release();
        }
    }

    // Copies every record into the new generation, batch by batch, each under the write lock: a write lands either before
    // a batch reads the record (and is copied) or after it (and reaches the new generation directly), never in between.
    private async Task BuildAsync(string name, Lineage lineage, Build build)
    {
        try
        {
            foreach (var batch in build.Ids.Chunk(BuildBatch))
            {
                build.Cancel.Token.ThrowIfCancellationRequested();
                await lineage.Writes.WaitAsync(build.Cancel.Token).ConfigureAwait(false);
                try
                {
                    var records = _collections[name].Whole(batch);
                    await build.Collection.UpsertAsync(records, build.Cancel.Token).ConfigureAwait(false);
                    Interlocked.Add(ref build.Done, batch.Length);
                }
                finally
                {
                    lineage.Writes.Release();
                }
            }

            await lineage.Writes.WaitAsync(build.Cancel.Token).ConfigureAwait(false);
            try
            {
                await SwitchAsync(name, lineage, build).ConfigureAwait(false);
            }
            finally
            {
                lineage.Writes.Release();
            }
        }
        catch (Exception e)
        {
            build.Error ??= e; // a write the new generation missed cancels the build and says why first
            await DiscardAsync(name, lineage, build).ConfigureAwait(false);
        }
    }

    // Under the write lock: the pointer names the new generation (the atomic switch), then memory follows it; the
    // generation before the previous one is closed and its files deleted.
    private async Task SwitchAsync(string name, Lineage lineage, Build build)
    {
        var old = _collections[name];
        WritePointer(name, build.Number, lineage.Serving);
        var retired = lineage.Previous;
        var retiredNumber = lineage.PreviousNumber;
        (lineage.PreviousNumber, lineage.Serving) = (lineage.Serving, build.Number);
        lineage.Previous = old;
        _collections[name] = build.Collection;
        lineage.Building = null;
        if (retired is not null)
        {
            await retired.DisposeAsync().ConfigureAwait(false);
            DeleteGeneration(name, retiredNumber);
        }
    }

    private async Task DiscardAsync(string name, Lineage lineage, Build build)
    {
        lineage.BuildFailure = $"generation {build.Number}: {build.Error?.Message ?? "stopped"}";
        lineage.Building = null;
        await build.Collection.DisposeAsync().ConfigureAwait(false);
        TryDelete(GenerationFolder(name, build.Number));
        lineage.LeaveSharedWrites();
    }

    // Every write goes through here: alone it goes straight to the serving generation; with more than one generation
    // open it goes to each, one write at a time.
    private async Task<T> WriteAsync<T>(string name, Func<EmbeddedCollection, Task<T>> write, CancellationToken cancellationToken)
    {
        var lineage = LineageOf(name);
        if (!lineage.TryEnterAlone())
        {
            return await WriteToEachAsync(name, lineage, write, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await write(Collection(name)).ConfigureAwait(false);
        }
        finally
        {
            lineage.LeaveAlone();
        }
    }

    private async Task<T> WriteToEachAsync<T>(string name, Lineage lineage, Func<EmbeddedCollection, Task<T>> write, CancellationToken cancellationToken)
    {
        await lineage.Writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await write(Collection(name)).ConfigureAwait(false);
            if (lineage.Previous is { } previous)
            {
                await write(previous).ConfigureAwait(false);
            }

            if (lineage.Building is { } build)
            {
                try
                {
                    await write(build.Collection).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The new generation missed a write: it cannot be completed. The serving one has it.
                    build.Error = e;
                    await build.Cancel.CancelAsync().ConfigureAwait(false);
                }
            }

            return result;
        }
        finally
        {
            lineage.Writes.Release();
        }
    }

    private Lineage LineageOf(string name)
    {
        Collection(name); // not found, or unavailable, first
        return _lineages.GetOrAdd(name, _ => new Lineage(1));
    }

    private string GenerationFolder(string name, int number) =>
        number == 1 ? Path.Combine(_root, name) : Path.Combine(_root, name, GenerationsFolder, number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void WritePointer(string name, int serving, int previous)
    {
        try
        {
            DurableFiles.Replace(_options.Files, Path.Combine(_root, name, GenerationsFile),
                s => JsonSerializer.Serialize(s, new GenerationPointer(serving, previous), EmbeddedCollection.FileJson));
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            throw new StorageFaultException($"collection '{name}': could not switch to generation {serving} ({e.Message}); the old one serves on", e);
        }
    }

    // Generation 1's files are the collection folder's own (its settings stay there: they mark the folder a collection).
    private void DeleteGeneration(string name, int number)
    {
        if (number != 1)
        {
            TryDelete(GenerationFolder(name, number));
            return;
        }

        foreach (var file in new[] { EmbeddedCollection.LogFile, EmbeddedCollection.SnapshotFile })
        {
            try
            {
                File.Delete(Path.Combine(_root, name, file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Deleted at the next start.
            }
        }
    }

    // At start: the pointer says which generations exist; any other generation folder is a build a crash interrupted.
    private (EmbeddedCollection Serving, Lineage? Lineage) OpenGenerations(string folder, string name)
    {
        var pointerPath = Path.Combine(folder, GenerationsFile);
        GenerationPointer pointer;
        try
        {
            pointer = File.Exists(pointerPath)
                ? JsonSerializer.Deserialize<GenerationPointer>(File.ReadAllBytes(pointerPath), EmbeddedCollection.FileJson) ?? throw new JsonException("null")
                : new GenerationPointer(1, 0);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{pointerPath} is not valid ({e.Message})", e);
        }

        var generations = Path.Combine(folder, GenerationsFolder);
        if (Directory.Exists(generations))
        {
            foreach (var other in Directory.EnumerateDirectories(generations))
            {
                if (!int.TryParse(Path.GetFileName(other), out var number) || (number != pointer.Serving && number != pointer.Previous))
                {
                    TryDelete(other);
                }
            }
        }

        if (pointer.Serving != 1 && pointer.Previous != 1)
        {
            DeleteGeneration(name, 1);
        }

        var serving = OpenGeneration(name, pointer.Serving);
        if (pointer is { Serving: 1, Previous: < 1 })
        {
            return (serving, null);
        }

        var lineage = new Lineage(pointer.Serving) { PreviousNumber = pointer.Previous };
        if (pointer.Previous >= 1)
        {
            try
            {
                lineage.Previous = OpenGeneration(name, pointer.Previous);
                lineage.EnterSharedWritesAtStart();
            }
            catch
            {
                serving.DisposeAsync().AsTask().GetAwaiter().GetResult(); // at start, before anything serves: nothing to wait for
                throw;
            }
        }

        return (serving, lineage);
    }

    private EmbeddedCollection OpenGeneration(string name, int number)
    {
        var folder = GenerationFolder(name, number);
        var settingsPath = Path.Combine(folder, SettingsFile);
        if (!File.Exists(settingsPath))
        {
            throw new InvalidDataException($"{folder} has no {SettingsFile}: its records cannot be read without it (restore it, or remove the folder)");
        }

        CollectionSettings settings;
        try
        {
            settings = CollectionSettings.FromJson(File.ReadAllText(settingsPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{settingsPath} is not valid collection settings ({e.Message})", e);
        }

        return EmbeddedCollection.Open(folder, name, settings, _models, _options, Path.Combine(_root, name));
    }

    private async Task CloseGenerationsAsync(string name)
    {
        if (!_lineages.TryRemove(name, out var lineage))
        {
            return;
        }

        if (lineage.Building is { } build)
        {
            await build.Cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await (build.Task ?? Task.CompletedTask).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }

        if (lineage.Previous is { } previous)
        {
            await previous.DisposeAsync().ConfigureAwait(false);
        }
    }

    private GenerationBuild? BuildingOf(string name) =>
        _lineages.GetValueOrDefault(name)?.Building is { } build
            ? new GenerationBuild(build.Number, build.Collection.Settings, Volatile.Read(ref build.Done), build.Ids.Count)
            : null;

    private string? BuildFailureOf(string name) => _lineages.GetValueOrDefault(name)?.BuildFailure;

    private int ServingOf(string name) => _lineages.GetValueOrDefault(name)?.Serving ?? 1;

    /// <summary>What <c>generations.json</c> holds: the generation serving, and the previous one (0 = none).</summary>
    private sealed record GenerationPointer(int Serving, int Previous);

    /// <summary>A generation being built.</summary>
    private sealed class Build(int number, EmbeddedCollection collection, List<string> ids)
    {
        public int Number { get; } = number;

        public EmbeddedCollection Collection { get; } = collection;

        public List<string> Ids { get; } = ids;

        public CancellationTokenSource Cancel { get; } = new();

        public Task? Task { get; set; }

        public Exception? Error { get; set; }

        public int Done;
    }

    /// <summary>A collection's generations: the number serving, the previous one, the one being built, and the write lock.</summary>
    private sealed class Lineage(int serving)
    {
        private int _alone;
        private volatile bool _shared;

        public SemaphoreSlim Writes { get; } = new(1, 1);

        public int Serving { get; set; } = serving;

        public int PreviousNumber { get; set; }

        public EmbeddedCollection? Previous { get; set; }

        public Build? Building { get; set; }

        public string? BuildFailure { get; set; }

        // Writes to a lone generation run concurrently (the log commits them in groups); once a second generation opens,
        // they take the lock. Entering shared mode waits for the lone writes still running.
        public bool TryEnterAlone()
        {
            Interlocked.Increment(ref _alone);
            if (!_shared)
            {
                return true;
            }

            Interlocked.Decrement(ref _alone);
            return false;
        }

        public void LeaveAlone() => Interlocked.Decrement(ref _alone);

        public async Task EnterSharedWritesAsync()
        {
            _shared = true;
            while (Volatile.Read(ref _alone) > 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }

        public void EnterSharedWritesAtStart() => _shared = true;

        public void LeaveSharedWrites() => _shared = Previous is not null || Building is not null;
    }
}
