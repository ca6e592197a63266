namespace SemanticMatch.Index.Vectors;

/// <summary>How an HNSW index stores vectors; lower precision saves memory at some recall.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<VectorStorage>))]
public enum VectorStorage
{
    /// <summary>32-bit floats.</summary>
    F32,

    /// <summary>16-bit floats (half the memory).</summary>
    F16,

    /// <summary>8-bit integers (a quarter of the memory; for normalised vectors).</summary>
    I8,
}

/// <summary>HNSW graph parameters (Malkov and Yashunin, 2016).</summary>
public sealed record HnswOptions
{
    private readonly int _m = 16;
    private readonly int _efConstruction = 128;
    private readonly int _efSearch = 128;

    /// <summary>Links per node (M); more gives better recall and more memory.</summary>
    public int M
    {
        get => _m;
        init => _m = value is >= 2 and <= 256 ? value : throw new ArgumentOutOfRangeException(nameof(M), value, "must be in 2..256");
    }

    /// <summary>Candidate list size while building (ef_construction).</summary>
    public int EfConstruction
    {
        get => _efConstruction;
        init => _efConstruction = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EfConstruction), value, "must be >= 1");
    }

    /// <summary>Vector storage precision.</summary>
    public VectorStorage Storage { get; init; } = VectorStorage.F32;

    /// <summary>Candidate list size while searching (ef_search); raised to k when k is larger.</summary>
    public int EfSearch
    {
        get => _efSearch;
        init => _efSearch = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EfSearch), value, "must be >= 1");
    }
}
