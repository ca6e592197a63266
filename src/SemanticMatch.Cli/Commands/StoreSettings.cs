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

    /// <summary>The connection string given, else $<see cref="ConnectionVariable"/>, else "".</summary>
    public static string ConnectionOrVariable(string? given) => given ?? Environment.GetEnvironmentVariable(ConnectionVariable) ?? string.Empty;

    /// <summary>The PostgreSQL store's settings, or null for the embedded store.</summary>
    public virtual PostgresStoreOptions? Postgres => Store == "postgres"
        ? new PostgresStoreOptions
        {
            ConnectionString = ConnectionOrVariable(Connection),
        }
        : null;

    public override ValidationResult Validate()
    {
        if (Store is not ("embedded" or "postgres"))
        {
            return ValidationResult.Error($"--store must be embedded or postgres (got '{Store}')");
        }

        if (Store == "embedded" && Connection is not null)
        {
            return ValidationResult.Error("--connection needs --store postgres");
        }

        if (Postgres is { ConnectionString.Length: 0 })
        {
            return ValidationResult.Error($"--store postgres needs --connection or ${ConnectionVariable}");
        }

        return base.Validate();
    }
}
