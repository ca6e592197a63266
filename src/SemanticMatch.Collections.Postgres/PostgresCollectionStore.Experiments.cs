using Npgsql;
using SemanticMatch.Collections.Experiments;

namespace SemanticMatch.Collections.Postgres;

/// <summary>Experiments in PostgreSQL: <c>semmatch_experiments</c>, one row per collection (dropped with it); every replica reads it per search.</summary>
public sealed partial class PostgresCollectionStore : ICollectionExperiments
{
    /// <inheritdoc />
    public Task<Experiment?> ExperimentAsync(string collection, CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT candidate, share, started FROM semmatch_experiments WHERE collection = $1", connection, transaction);
            command.Parameters.Add(new() { Value = collection });
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            return await reader.ReadAsync(token).ConfigureAwait(false)
                ? new Experiment(collection, reader.GetString(0), reader.GetDouble(1), reader.GetFieldValue<DateTimeOffset>(2))
                : null;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task StartExperimentAsync(Experiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        experiment.Checked();
        await RunAsync(async (connection, transaction, token) =>
        {
            foreach (var name in new[] { experiment.Collection, experiment.Candidate })
            {
                if (!await ExistsAsync(connection, transaction, "SELECT 1 FROM semmatch_generations WHERE collection = $1 FOR SHARE", name, token).ConfigureAwait(false))
                {
                    throw new CollectionNotFoundException(name);
                }
            }

            await ExecuteAsync(connection, transaction, """
                INSERT INTO semmatch_experiments (collection, candidate, share, started) VALUES ($1, $2, $3, $4)
                ON CONFLICT (collection) DO UPDATE SET candidate = EXCLUDED.candidate, share = EXCLUDED.share, started = EXCLUDED.started
                """, token, experiment.Collection, experiment.Candidate, experiment.Share, experiment.Started).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> StopExperimentAsync(string collection, CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM semmatch_experiments WHERE collection = $1", connection, transaction);
            command.Parameters.Add(new() { Value = collection });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken);
}
