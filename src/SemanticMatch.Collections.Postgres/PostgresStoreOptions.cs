namespace SemanticMatch.Collections.Postgres;

/// <summary>How the PostgreSQL store ranks keyword matches.</summary>
public enum KeywordRanking
{
    /// <summary>BM25 (k1 1.2, b 0.75) computed in SQL from the tsvector's term frequencies and per-collection statistics, as Lucene scores it.</summary>
    Bm25,

    /// <summary>PostgreSQL's cover-density rank, <c>ts_rank_cd</c>, over the same tsvector.</summary>
    TsRankCd,
}

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Default <see cref="EfSearch"/>.</summary>
    public const int DefaultEfSearch = 100;

    /// <summary>The connection string (Npgsql syntax: <c>Host=...;Username=...;Password=...;Database=...</c>).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Keyword ranking.</summary>
    public KeywordRanking KeywordRanking { get; init; } = KeywordRanking.Bm25;

    /// <summary>HNSW candidate list per query (<c>hnsw.ef_search</c>, set per query; raised to the number of hits asked).</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>Retries of an operation that failed because the database could not be reached (exponential backoff with jitter).</summary>
    public int Retries { get; init; } = 4;

    /// <summary>The first retry's delay; each next one doubles.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a replica building a generation holds it without renewing (it renews with each batch); a build whose
    /// lease ran out, its replica gone, is resumed by another replica (each looks every half lease).
    /// </summary>
    public TimeSpan BuildLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this store takes over builds whose lease ran out (a service does; a one-off command that exits soon should not).</summary>
    public bool ResumesBuilds { get; init; } = true;

    /// <summary>Loads a learned ranker from its location (a directory); null = collections cannot have rankers.</summary>
    public Func<string, Search.IResultRanker>? Rankers { get; init; }

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public Core.OptionProblem? Problem() => this switch
    {
        { ConnectionString: null or "" } => new(nameof(ConnectionString), "must be given"),
        { EfSearch: < 1 or > 1000 } => new(nameof(EfSearch), "must be between 1 and 1000"),
        { Retries: < 0 or > 20 } => new(nameof(Retries), "must be between 0 and 20"),
        _ when FirstRetryDelay < TimeSpan.Zero => new(nameof(FirstRetryDelay), "must not be negative"),
        _ when BuildLease < TimeSpan.FromMilliseconds(200) || BuildLease > TimeSpan.FromHours(1) => new(nameof(BuildLease), "must be between 200 ms and 1 hour"),
        _ => null,
    };
}
