using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Postgres;

/// <summary>Feedback in the <c>semmatch_feedback</c> table (one JSONB event per row); the salt in <c>semmatch_secrets</c>.</summary>
public sealed class PostgresFeedbackStore : IFeedbackStore
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
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
    public Task AppendAsync(string collection, FeedbackEvent feedback, CancellationToken cancellationToken = default) => _store.RunAsync(async (connection, transaction, token) =>
    {
        await using var command = new NpgsqlCommand("INSERT INTO semmatch_feedback (collection, event) VALUES ($1, $2::jsonb)", connection, transaction);
        command.Parameters.Add(new() { Value = collection });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(feedback, s_json) });
        return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<FeedbackEvent> ReadAsync(string collection, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = await _store.RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT event::text FROM semmatch_feedback WHERE collection = $1 ORDER BY seq", connection, transaction);
            command.Parameters.Add(new() { Value = collection });
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            var read = new List<FeedbackEvent>();
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                read.Add(JsonSerializer.Deserialize<FeedbackEvent>(reader.GetString(0), s_json)!);
            }

            return read;
        }, cancellationToken).ConfigureAwait(false);
        if (events.Count == 0)
        {
            throw new InvalidRequestException($"no feedback logged for collection '{collection}' in the database");
        }

        foreach (var e in events)
        {
            yield return e;
        }
    }
}
