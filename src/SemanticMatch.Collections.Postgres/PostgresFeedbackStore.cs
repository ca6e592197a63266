using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Npgsql;
using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Postgres;

/// <summary>Traffic logs in the <c>semmatch_feedback</c> table (one JSONB entry per row); the salt in <c>semmatch_secrets</c>.</summary>
public sealed class PostgresFeedbackStore : IFeedbackStore
{
    private readonly PostgresCollectionStore _store;

    /// <summary>Uses the database of <paramref name="store"/>.</summary>
    public PostgresFeedbackStore(PostgresCollectionStore store)
    {
        _store = store;
    }

    /// <inheritdoc />
    public Task<byte[]> SaltAsync(CancellationToken cancellationToken = default) => _store.RunAsync(async (connection, transaction, token) =>
    {
        // Replicas racing on first use all read the one salt that was inserted.
        // (A statement does not see its own CTE's insert, hence the union.)
        await using var command = new NpgsqlCommand("""
            WITH inserted AS (
                INSERT INTO semmatch_secrets (name, value) VALUES ('feedback_salt', $1) ON CONFLICT (name) DO NOTHING RETURNING value)
            SELECT value FROM inserted
            UNION ALL SELECT value FROM semmatch_secrets WHERE name = 'feedback_salt'
            LIMIT 1
            """, connection, transaction);
        command.Parameters.Add(new() { Value = RandomNumberGenerator.GetBytes(32) });
        return (byte[])(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One multi-row insert in one transaction: all the entries or none.</remarks>
    public Task AppendAsync(string collection, IReadOnlyList<TrafficEntry> entries, CancellationToken cancellationToken = default) =>
        entries.Count == 0 ? Task.CompletedTask : _store.RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO semmatch_feedback (collection, event) SELECT $1, e::jsonb FROM unnest($2::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n",
                connection, transaction);
            command.Parameters.Add(new() { Value = collection });
            command.Parameters.Add(new() { Value = entries.Select(e => e.ToJson()).ToArray() });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TrafficEntry> ReadAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var lines = await _store.RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT event::text FROM semmatch_feedback WHERE collection = $1 ORDER BY seq", connection, transaction);
            command.Parameters.Add(new() { Value = collection });
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            var read = new List<string>();
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                read.Add(reader.GetString(0));
            }

            return read;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var line in lines)
        {
            if (TrafficEntry.Parse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <inheritdoc />
    public Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default) => _store.RunAsync(async (connection, transaction, token) =>
    {
        await using var command = new NpgsqlCommand("DELETE FROM semmatch_feedback WHERE (event->>'time')::timestamptz < $1", connection, transaction);
        command.Parameters.Add(new() { Value = cutoff.ToUniversalTime() });
        return (long)await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }, cancellationToken);
}
