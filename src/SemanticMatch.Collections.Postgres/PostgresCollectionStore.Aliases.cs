using Npgsql;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// Aliases in PostgreSQL: <c>semmatch_aliases</c>, one row per alias naming a collection (a foreign key keeps a
/// collection an alias names from being dropped). Creating a collection and setting an alias take the same advisory lock
/// on the name, so a name is never both; every replica resolves an alias from the table, so a swap is seen at once.
/// </summary>
public sealed partial class PostgresCollectionStore : ICollectionAliases
{
    /// <inheritdoc />
    public Task<string?> ResolveAliasAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT collection FROM semmatch_aliases WHERE alias = $1", connection, transaction);
            command.Parameters.Add(new() { Value = name });
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as string;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CollectionAlias>> AliasesAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("SELECT alias, collection FROM semmatch_aliases ORDER BY alias COLLATE \"C\"", connection, transaction);
            var aliases = new List<CollectionAlias>();
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                aliases.Add(new CollectionAlias(reader.GetString(0), reader.GetString(1)));
            }

            return (IReadOnlyList<CollectionAlias>)aliases;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<string?> SetAliasAsync(string aliasName, string collection, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(aliasName);
        CollectionSettings.CheckName(collection);
        return await RunAsync(async (connection, transaction, token) =>
        {
            await LockNameAsync(connection, transaction, aliasName, token).ConfigureAwait(false);
            if (await ExistsAsync(connection, transaction, "SELECT 1 FROM semmatch_generations WHERE collection = $1", aliasName, token).ConfigureAwait(false))
            {
                throw new AliasConflictException($"'{aliasName}' is a collection's name: an alias needs a name of its own");
            }

            await using (var target = new NpgsqlCommand("SELECT 1 FROM semmatch_generations WHERE collection = $1 FOR SHARE", connection, transaction))
            {
                target.Parameters.Add(new() { Value = collection });
                if (await target.ExecuteScalarAsync(token).ConfigureAwait(false) is null)
                {
                    throw await AliasOfAsync(connection, transaction, collection, token).ConfigureAwait(false) is { } other
                        ? new InvalidRequestException($"'{collection}' is an alias (of '{other}'): an alias names a collection, not another alias")
                        : new CollectionNotFoundException(collection);
                }
            }

            var previous = await AliasOfAsync(connection, transaction, aliasName, token).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, """
                INSERT INTO semmatch_aliases (alias, collection) VALUES ($1, $2)
                ON CONFLICT (alias) DO UPDATE SET collection = EXCLUDED.collection
                """, token, aliasName, collection).ConfigureAwait(false);
            return previous;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAliasAsync(string aliasName, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(aliasName);
        return await RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM semmatch_aliases WHERE alias = $1", connection, transaction);
            command.Parameters.Add(new() { Value = aliasName });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    // In a create or drop transaction: an alias of that name blocks a create, an alias naming the collection blocks its drop.
    private static async Task CheckNoAliasConflictAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, bool dropping,
        CancellationToken cancellationToken)
    {
        await LockNameAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        if (await AliasOfAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false) is { } target)
        {
            throw new AliasConflictException(
                $"'{name}' is an alias of '{target}': remove the alias (DELETE /v1/aliases/{name}) first; collections are created and dropped by their own names");
        }

        if (dropping)
        {
            await using var naming = new NpgsqlCommand("SELECT alias FROM semmatch_aliases WHERE collection = $1 ORDER BY alias LIMIT 1", connection, transaction);
            naming.Parameters.Add(new() { Value = name });
            if (await naming.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string alias)
            {
                throw new AliasConflictException($"collection '{name}' is what alias '{alias}' names: point the alias at another collection or remove it first");
            }
        }
    }

    private static async Task<string?> AliasOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT collection FROM semmatch_aliases WHERE alias = $1", connection, transaction);
        command.Parameters.Add(new() { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string value,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new() { Value = value });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    // Collections and aliases share one name space: who claims a name holds this lock until the transaction ends.
    private static Task LockNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7305130, hashtext($1))", cancellationToken, name);
}
