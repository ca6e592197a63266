using System.ComponentModel;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Onnx.Models;
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
            ResumesBuilds = false, // a command that exits soon; `serve` resumes them
        }
        : null;

    public override ValidationResult Validate() => StoreProblem(Store, Connection) is { } problem ? ValidationResult.Error(problem) : base.Validate();

    /// <summary>
    /// Runs <paramref name="use"/> over the traffic log of <paramref name="collection"/> in the chosen store (the
    /// database's table, or the files beside the embedded collections), once the collection is known to exist there.
    /// </summary>
    /// <exception cref="UserError">The data directory has no such collection.</exception>
    public async Task<T> WithTrafficLogAsync<T>(string collection, Func<IFeedbackStore, Task<T>> use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        if (Postgres is { } postgres)
        {
            using var models = new ModelProvider();
            await using var store = await PostgresCollectionStore.OpenAsync(models, postgres, cancellationToken);
            await store.DescribeAsync(collection, cancellationToken);
            return await use(new PostgresFeedbackStore(store));
        }

        if (!EmbeddedCollectionStore.Holds(DataDirectory, collection))
        {
            throw new UserError($"--collection: {DataDirectory} has no collection '{collection}'");
        }

        using var files = new FileFeedbackStore(DataDirectory);
        return await use(files);
    }

    /// <summary>
    /// Runs <paramref name="use"/> with the chosen store, its traffic log and the models, once <paramref name="collection"/>
    /// is known to exist (the embedded store is refused while a server holds the data directory).
    /// </summary>
    /// <exception cref="UserError">The data directory has no such collection.</exception>
    public async Task<T> WithStoreAsync<T>(string collection, Func<ICollectionStore, IFeedbackStore, Core.IModelProvider, Task<T>> use,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        using var models = new ModelProvider();
        if (Postgres is { } postgres)
        {
            await using var database = await PostgresCollectionStore.OpenAsync(models, postgres with { Rankers = new Ranking.RankerProvider().Open }, cancellationToken);
            await database.DescribeAsync(collection, cancellationToken);
            return await use(database, new PostgresFeedbackStore(database), models);
        }

        if (!EmbeddedCollectionStore.Holds(DataDirectory, collection))
        {
            throw new UserError($"--collection: {DataDirectory} has no collection '{collection}'");
        }

        await using var store = EmbeddedCollectionStore.Open(DataDirectory, models, new CollectionOptions { Rankers = new Ranking.RankerProvider().Open });
        using var files = new FileFeedbackStore(DataDirectory);
        return await use(store, files, models);
    }

    /// <summary>What is wrong with a --store / --connection pair (any command that chooses a store), or null.</summary>
    public static string? StoreProblem(string store, string? connection) => store switch
    {
        not ("embedded" or "postgres") => $"--store must be embedded or postgres (got '{store}')",
        "embedded" when connection is not null => "--connection needs --store postgres",
        "postgres" when ConnectionOrVariable(connection).Length == 0 => $"--store postgres needs --connection or ${ConnectionVariable}",
        _ => null,
    };
}
