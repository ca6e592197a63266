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

/// <summary>HNSW graph parameters (Malkov and Yashunin, 2016); <see cref="Problem"/> holds their rules.</summary>
public sealed record HnswOptions
{
    /// <summary>Default of <see cref="M"/>.</summary>
    public const int DefaultM = 16;

    /// <summary>Default of <see cref="EfConstruction"/>.</summary>
    public const int DefaultEfConstruction = 128;

    /// <summary>Default of <see cref="EfSearch"/>.</summary>
    public const int DefaultEfSearch = 128;

    /// <summary>Links per node (M), 2..256; more gives better recall and more memory.</summary>
    public int M { get; init; } = DefaultM;

    /// <summary>Candidate list size while building (ef_construction).</summary>
    public int EfConstruction { get; init; } = DefaultEfConstruction;

    /// <summary>Vector storage precision.</summary>
    public VectorStorage Storage { get; init; } = VectorStorage.F32;

    /// <summary>Candidate list size while searching (ef_search); raised to k when k is larger.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public Core.OptionProblem? Problem() => this switch
    {
        { M: < 2 or > 256 } => new(nameof(M), "must be in 2..256"),
        { EfConstruction: < 1 } => new(nameof(EfConstruction), "must be at least 1"),
        { EfSearch: < 1 } => new(nameof(EfSearch), "must be at least 1"),
        _ => null,
    };
}
