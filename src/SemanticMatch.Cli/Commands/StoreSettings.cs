using System.ComponentModel;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary>Options of commands that open the service's store: the embedded one in the data directory, or PostgreSQL.</summary>
internal class StoreSettings : DataSettings
{
    /// <summary>The environment variable read when --connection is not given (keeps a password out of the process list).</summary>
    public const string ConnectionVariable = "SEMANTICMATCH_CONNECTION";

    [CommandOption("--store <KIND>")]
    [Description("Where collections and feedback live: embedded (files in --data) or postgres (a PostgreSQL database with pgvector; see --connection).")]
    [DefaultValue("embedded")]
    public string Store { get; init; } = "embedded";

    [CommandOption("--connection <CONNECTION>")]
    [Description("With --store postgres: the Npgsql connection string (Host=...;Username=...;Password=...;Database=...). Default: $" + ConnectionVariable + ".")]
    public string? Connection { get; init; }

    [CommandOption("--keyword-ranking <RANKING>")]
    [Description("With --store postgres: bm25 (computed in SQL, as Lucene scores) or ts-rank-cd (PostgreSQL's cover density).")]
    [DefaultValue("bm25")]
    public string KeywordRanking { get; init; } = "bm25";

    [CommandOption("--ef-search <N>")]
    [Description("With --store postgres: HNSW candidates per query (hnsw.ef_search; at least the hits asked).")]
    [DefaultValue(PostgresStoreOptions.DefaultEfSearch)]
    public int EfSearch { get; init; } = PostgresStoreOptions.DefaultEfSearch;

    /// <summary>The PostgreSQL store's settings, or null for the embedded store.</summary>
    public PostgresStoreOptions? Postgres => Store == "postgres"
        ? new PostgresStoreOptions
        {
            ConnectionString = Connection ?? Environment.GetEnvironmentVariable(ConnectionVariable) ?? string.Empty,
            KeywordRanking = KeywordRanking == "ts-rank-cd" ? Collections.Postgres.KeywordRanking.TsRankCd : Collections.Postgres.KeywordRanking.Bm25,
            EfSearch = EfSearch,
        }
        : null;

    public override ValidationResult Validate()
    {
        if (Store is not ("embedded" or "postgres"))
        {
            return ValidationResult.Error($"--store must be embedded or postgres (got '{Store}')");
        }

        if (KeywordRanking is not ("bm25" or "ts-rank-cd"))
        {
            return ValidationResult.Error($"--keyword-ranking must be bm25 or ts-rank-cd (got '{KeywordRanking}')");
        }

        if (Store == "embedded" && Connection is not null)
        {
            return ValidationResult.Error("--connection needs --store postgres");
        }

        if (Postgres?.Problem() is { } problem)
        {
            return ValidationResult.Error(problem.Property switch
            {
                nameof(PostgresStoreOptions.ConnectionString) => $"--store postgres needs --connection or ${ConnectionVariable}",
                nameof(PostgresStoreOptions.EfSearch) => $"--ef-search {problem.Rule}",
                _ => problem.ToString(),
            });
        }

        return base.Validate();
    }
}
