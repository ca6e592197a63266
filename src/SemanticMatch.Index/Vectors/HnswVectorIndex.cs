using Cloud.Unum.USearch;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Index.Vectors;

/// <summary>
/// Approximate nearest-neighbour search on an HNSW graph (USearch). Product ids map to 64-bit keys kept beside the graph.
/// </summary>
/// <remarks>
/// The native index is held in a <see cref="System.Runtime.InteropServices.SafeHandle"/> (see <see cref="USearchNative"/>).
/// Concurrent searches are safe; adds and removes must not overlap other calls.
/// </remarks>
public sealed class HnswVectorIndex : IVectorIndex
{
    private const string MetaFile = "hnsw.json";
    private const string GraphFile = "hnsw.usearch";
    private const string KeyFile = "keys.json";

    private readonly Dictionary<string, ulong> _keyById = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _idByKey = [];
    private readonly USearchHandle _native;

    // USearch gives each concurrent search a context of its own and fails a search when none is free: allow this many,
    // and let further callers wait for one instead of failing.
    private const int SearchContexts = 64;
    private readonly SemaphoreSlim _searchSlots = new(SearchContexts, SearchContexts);
    private ulong _nextKey;

    /// <summary>Creates an empty index.</summary>
    public HnswVectorIndex(int dimension, SimilarityMetric metric, HnswOptions? options = null)
        : this(dimension, metric, options ?? new HnswOptions(), null)
    {
    }

    private HnswVectorIndex(int dimension, SimilarityMetric metric, HnswOptions options, string? graphPath)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"HNSW options: {problem}");
        }

        Dimension = dimension;
        Metric = metric;
        Options = options;
        var kind = metric switch
        {
            SimilarityMetric.Cosine => MetricKind.Cos,
            SimilarityMetric.Dot => MetricKind.Ip,
            SimilarityMetric.Euclidean => MetricKind.L2sq,
            _ => throw new ArgumentException($"{metric} is not a vector metric", nameof(metric)),
        };
        var storage = options.Storage switch
        {
            VectorStorage.F16 => ScalarKind.Float16,
            VectorStorage.I8 => ScalarKind.Int8,
            _ => ScalarKind.Float32,
        };
        _native = USearchNative.Init(new IndexOptions(kind, IntPtr.Zero, storage, (ulong)dimension,
            (ulong)options.M, (ulong)options.EfConstruction, (ulong)options.EfSearch, multi: false));
        if (graphPath is not null)
        {
            LoadGraph(graphPath);
        }

        USearchNative.usearch_change_threads_search(_native, SearchContexts, out var error);
        USearchNative.Check(error, "set search threads");
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public SimilarityMetric Metric { get; }

    /// <summary>Graph parameters (ef_search as last set).</summary>
    public HnswOptions Options { get; private set; }

    /// <inheritdoc />
    public int Count => _keyById.Count;

    /// <summary>Loads an index written by <see cref="Save"/>.</summary>
    /// <exception cref="VectorIndexException">Files are missing or inconsistent.</exception>
    public static HnswVectorIndex Load(string directory)
    {
        var meta = IndexFiles.ReadJson<HnswMeta>(Path.Combine(directory, MetaFile));
        var keys = IndexFiles.ReadJson<List<KeyEntry>>(Path.Combine(directory, KeyFile));
        var options = new HnswOptions { M = meta.M, EfConstruction = meta.EfConstruction, EfSearch = meta.EfSearch, Storage = meta.Storage };
        var index = new HnswVectorIndex(meta.Dimension, meta.Metric, options, Path.Combine(directory, GraphFile));
        foreach (var entry in keys)
        {
            index._keyById[entry.Id] = entry.Key;
            index._idByKey[entry.Key] = entry.Id;
            index._nextKey = Math.Max(index._nextKey, entry.Key + 1);
        }

        if ((ulong)index.Count != (ulong)USearchNative.usearch_size(index._native, out _))
        {
            var count = index.Count;
            index.Dispose();
            throw new VectorIndexException($"{directory}: {KeyFile} lists {count} ids but the graph holds a different number of vectors");
        }

        return index;
    }

    /// <inheritdoc />
    public void Add(string id, ReadOnlySpan<float> vector)
    {
        IndexFiles.CheckDimension(vector.Length, Dimension);
        Remove(id);
        var key = _nextKey++;
        EnsureCapacity();
        USearchNative.usearch_add(_native, key, vector.ToArray(), ScalarKind.Float32, out var error);
        USearchNative.Check(error, "add a vector");
        _keyById[id] = key;
        _idByKey[key] = id;
    }

    /// <summary>
    /// Adds many new entries, inserting into the graph on all cores (USearch supports concurrent inserts after a
    /// reserve). Ids must not be present yet.
    /// </summary>
    public void AddRange(IReadOnlyList<string> ids, IReadOnlyList<float[]> vectors)
    {
        if (ids.Count != vectors.Count)
        {
            throw new ArgumentException($"{ids.Count} ids but {vectors.Count} vectors", nameof(vectors));
        }

        var keys = new ulong[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            IndexFiles.CheckDimension(vectors[i].Length, Dimension);
            if (_keyById.ContainsKey(ids[i]))
            {
                throw new ArgumentException($"id '{ids[i]}' is already in the index", nameof(ids));
            }

            keys[i] = _nextKey++;
            _keyById[ids[i]] = keys[i];
            _idByKey[keys[i]] = ids[i];
        }

        // USearch keeps one insertion context per thread: declare how many threads will insert, then reserve.
        var threads = Environment.ProcessorCount;
        USearchNative.usearch_change_threads_add(_native, (UIntPtr)threads, out var error);
        USearchNative.Check(error, "set insertion threads");
        USearchNative.usearch_reserve(_native, checked((UIntPtr)(ulong)Count), out error);
        USearchNative.Check(error, "reserve memory");
        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            USearchNative.usearch_add(_native, keys[i], vectors[i], ScalarKind.Float32, out var addError);
            USearchNative.Check(addError, "add a vector");
        });
    }

    /// <inheritdoc />
    public bool Remove(string id)
    {
        if (!_keyById.Remove(id, out var key))
        {
            return false;
        }

        USearchNative.usearch_remove(_native, key, out var error);
        USearchNative.Check(error, "remove a vector");
        _idByKey.Remove(key);
        return true;
    }

    /// <summary>Changes the search candidate list size (ef_search) for later searches.</summary>
    public void SetEfSearch(int efSearch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(efSearch, 1);
        USearchNative.usearch_change_expansion_search(_native, (UIntPtr)efSearch, out var error);
        USearchNative.Check(error, "set ef_search");
        Options = Options with { EfSearch = efSearch };
    }

    /// <inheritdoc />
    public bool Contains(string id) => _keyById.ContainsKey(id);

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k) => Search(query, k, null);

    /// <inheritdoc />
    /// <remarks>
    /// USearch (usearch_filtered_search) asks the filter about each node it reaches and keeps walking the graph until it
    /// holds k accepted ones: 10 accepted entries scattered among 3,000 are all found with ef_search 10 (see the tests).
    /// </remarks>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, Func<string, bool>? accept)
    {
        IndexFiles.CheckDimension(query.Length, Dimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (Count == 0)
        {
            return [];
        }

        var vector = query.ToArray();
        var keys = new ulong[k];
        var distances = new float[k];
        Exception? filterFailure = null;
        USearchNative.KeyFilter? keep = accept is null ? null : (key, _) =>
        {
            try
            {
                return _idByKey.TryGetValue(key, out var id) && accept(id) ? 1 : 0;
            }
            catch (Exception e) when (filterFailure is null)
            {
                filterFailure = e; // an exception must not cross back into native code
                return 0;
            }
        };
        int found;
        _searchSlots.Wait();
        try
        {
            found = (int)(keep is null
                ? USearchNative.usearch_search(_native, vector, ScalarKind.Float32, (UIntPtr)k, keys, distances, out var error)
                : USearchNative.usearch_filtered_search(_native, vector, ScalarKind.Float32, (UIntPtr)k, keep, IntPtr.Zero, keys, distances, out error));
            USearchNative.Check(error, "search");
            GC.KeepAlive(keep);
        }
        finally
        {
            _searchSlots.Release();
        }

        if (filterFailure is not null)
        {
            throw new InvalidOperationException("the search filter failed", filterFailure);
        }

        var top = new TopK(k);
        for (var i = 0; i < found; i++)
        {
            top.Offer(_idByKey[keys[i]], ToScore(distances[i]));
        }

        return top.BestFirst();
    }

    /// <inheritdoc />
    /// <remarks>Vectors come back from USearch's storage (f16 or i8 storage decodes approximately).</remarks>
    public float[] Similarities(ReadOnlySpan<float> query, IReadOnlyList<string> ids)
    {
        IndexFiles.CheckDimension(query.Length, Dimension);
        ArgumentNullException.ThrowIfNull(ids);
        var scores = new float[ids.Count];
        var stored = new float[Dimension];
        for (var i = 0; i < ids.Count; i++)
        {
            var key = _keyById.TryGetValue(ids[i], out var k) ? k : throw new KeyNotFoundException($"'{ids[i]}' is not in the index");
            var found = USearchNative.usearch_get(_native, key, 1, stored, ScalarKind.Float32, out var error);
            USearchNative.Check(error, "read a vector");
            scores[i] = found == 0 ? throw new KeyNotFoundException($"'{ids[i]}' has no vector in the graph") : VectorSimilarity.Score(Metric, query, stored);
        }

        return scores;
    }

    /// <inheritdoc />
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        USearchNative.usearch_save(_native, Path.Combine(directory, GraphFile), out var error);
        USearchNative.Check(error, "save the graph");
        IndexFiles.WriteJson(Path.Combine(directory, MetaFile),
            new HnswMeta(Dimension, Metric, Options.M, Options.EfConstruction, Options.EfSearch, Options.Storage));
        IndexFiles.WriteJson(Path.Combine(directory, KeyFile), _keyById.Select(kv => new KeyEntry(kv.Value, kv.Key)).OrderBy(e => e.Key).ToList());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _native.Dispose();
        _searchSlots.Dispose();
    }

    private void LoadGraph(string path)
    {
        if (!File.Exists(path))
        {
            throw new VectorIndexException($"{path}: HNSW graph file not found");
        }

        USearchNative.usearch_load(_native, path, out var error);
        USearchNative.Check(error, "load " + path);

        // A loaded file brings its own search expansion; ours is set again.
        SetEfSearch(Options.EfSearch);
    }

    private void EnsureCapacity()
    {
        var capacity = (ulong)USearchNative.usearch_capacity(_native, out _);
        if ((ulong)Count + 1 > capacity)
        {
            USearchNative.usearch_reserve(_native, checked((UIntPtr)Math.Max(64, capacity * 2)), out var error);
            USearchNative.Check(error, "reserve memory");
        }
    }

    private float ToScore(float distance) => Metric switch
    {
        SimilarityMetric.Euclidean => -MathF.Sqrt(Math.Max(distance, 0)),
        _ => 1 - distance,
    };

    private sealed record HnswMeta(int Dimension, SimilarityMetric Metric, int M, int EfConstruction, int EfSearch, VectorStorage Storage = VectorStorage.F32);

    private sealed record KeyEntry(ulong Key, string Id);
}
