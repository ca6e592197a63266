using System.Runtime.InteropServices;
using System.Text.Json;
using System.Numerics.Tensors;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Index.Vectors;

/// <summary>
/// Exact nearest-neighbour search: every query is scored against every vector with <see cref="TensorPrimitives"/>.
/// Vectors live in one contiguous array; cosine indexes store unit vectors so a dot product gives the cosine.
/// </summary>
/// <remarks>Concurrent searches are safe; adds and removes must not overlap other calls.</remarks>
public sealed class ExactVectorIndex : IVectorIndex
{
    private const string MetaFile = "exact.json";
    private const string VectorFile = "vectors.f32";
    private const string IdFile = "ids.json";

    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int> _rowById = new(StringComparer.Ordinal);
    private float[] _data;

    /// <summary>Creates an empty index.</summary>
    public ExactVectorIndex(int dimension, SimilarityMetric metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (metric == SimilarityMetric.Jaccard)
        {
            throw new ArgumentException("Jaccard is a text metric, not a vector metric", nameof(metric));
        }

        Dimension = dimension;
        Metric = metric;
        _data = new float[dimension * 16];
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public SimilarityMetric Metric { get; }

    /// <inheritdoc />
    public int Count => _ids.Count;

    /// <summary>Loads an index written by <see cref="Save"/>.</summary>
    /// <exception cref="VectorIndexException">Files are missing or inconsistent.</exception>
    public static ExactVectorIndex Load(string directory)
    {
        var meta = IndexFiles.ReadJson<ExactMeta>(Path.Combine(directory, MetaFile));
        var ids = IndexFiles.ReadJson<List<string>>(Path.Combine(directory, IdFile));
        var bytes = IndexFiles.ReadBytes(Path.Combine(directory, VectorFile));
        var floats = MemoryMarshal.Cast<byte, float>(bytes);
        if (floats.Length != ids.Count * meta.Dimension)
        {
            throw new VectorIndexException($"{directory}: {VectorFile} holds {floats.Length} floats, expected {ids.Count} x {meta.Dimension}");
        }

        var index = new ExactVectorIndex(meta.Dimension, meta.Metric);
        for (var i = 0; i < ids.Count; i++)
        {
            index.AddRaw(ids[i], floats.Slice(i * meta.Dimension, meta.Dimension));
        }

        return index;
    }

    /// <inheritdoc />
    public void Add(string id, ReadOnlySpan<float> vector)
    {
        IndexFiles.CheckDimension(vector.Length, Dimension);
        if (Metric == SimilarityMetric.Cosine)
        {
            var unit = vector.ToArray();
            VectorSimilarity.Normalize(unit);
            AddRaw(id, unit);
        }
        else
        {
            AddRaw(id, vector);
        }
    }

    /// <inheritdoc />
    public bool Remove(string id)
    {
        if (!_rowById.Remove(id, out var row))
        {
            return false;
        }

        // Move the last row into the hole.
        var last = _ids.Count - 1;
        if (row != last)
        {
            Row(last).CopyTo(_data.AsSpan(row * Dimension, Dimension));
            _ids[row] = _ids[last];
            _rowById[_ids[row]] = row;
        }

        _ids.RemoveAt(last);
        return true;
    }

    /// <inheritdoc />
    public bool Contains(string id) => _rowById.ContainsKey(id);

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k) => Search(query, k, null);

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, Func<string, bool>? accept)
    {
        IndexFiles.CheckDimension(query.Length, Dimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (Metric == SimilarityMetric.Cosine)
        {
            var unit = query.ToArray();
            VectorSimilarity.Normalize(unit);
            query = unit;
        }

        var top = new TopK(k);
        for (var row = 0; row < _ids.Count; row++)
        {
            if (accept is not null && !accept(_ids[row]))
            {
                continue;
            }

            var score = Metric == SimilarityMetric.Euclidean
                ? -TensorPrimitives.Distance(query, Row(row))
                : TensorPrimitives.Dot(query, Row(row));
            if (top.Admits(score))
            {
                top.Offer(_ids[row], score);
            }
        }

        return top.BestFirst();
    }

    /// <inheritdoc />
    public float[] Similarities(ReadOnlySpan<float> query, IReadOnlyList<string> ids)
    {
        IndexFiles.CheckDimension(query.Length, Dimension);
        ArgumentNullException.ThrowIfNull(ids);
        var scores = new float[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var row = _rowById.TryGetValue(ids[i], out var r) ? r : throw new KeyNotFoundException($"'{ids[i]}' is not in the index");
            scores[i] = VectorSimilarity.Score(Metric, query, Row(row)); // stored cosine rows are unit vectors: the same cosine
        }

        return scores;
    }

    /// <inheritdoc />
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        IndexFiles.WriteJson(Path.Combine(directory, MetaFile), new ExactMeta(Dimension, Metric));
        IndexFiles.WriteJson(Path.Combine(directory, IdFile), _ids);
        File.WriteAllBytes(Path.Combine(directory, VectorFile), MemoryMarshal.AsBytes(_data.AsSpan(0, _ids.Count * Dimension)).ToArray());
    }

    /// <summary>Nothing to release; present for the interface.</summary>
    public void Dispose()
    {
    }

    private ReadOnlySpan<float> Row(int row) => _data.AsSpan(row * Dimension, Dimension);

    private void AddRaw(string id, ReadOnlySpan<float> vector)
    {
        if (!_rowById.TryGetValue(id, out var row))
        {
            row = _ids.Count;
            if ((row + 1) * Dimension > _data.Length)
            {
                Array.Resize(ref _data, _data.Length * 2);
            }

            _ids.Add(id);
            _rowById[id] = row;
        }

        vector.CopyTo(_data.AsSpan(row * Dimension, Dimension));
    }

    private sealed record ExactMeta(int Dimension, SimilarityMetric Metric);
}
