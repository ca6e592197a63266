using System.Collections.Concurrent;
using Npgsql;
using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// Model generations in PostgreSQL. Each generation of a collection is a row of <c>semmatch_collections</c> with its own
/// records, words and HNSW index, keyed <c>name</c> for generation 1 and <c>name~N</c> after it ('~' is never in a
/// collection name); <c>semmatch_generations</c> names, per collection, the generation serving, the previous one and
/// the one being built.
/// </summary>
/// <remarks>
/// Every write takes the collection's <c>semmatch_generations</c> row lock and reaches each open generation in one
/// transaction, so each of them holds every acknowledged write. A build copies the serving generation's records batch
/// by batch: it embeds outside the lock, then inserts, under it, only the records still there that no write has put in
/// the new generation meanwhile. It switches in one transaction once every record is in. The replica building holds a
/// lease, renewed with each batch; a build whose lease ran out (its replica died) is taken over by any replica and
/// resumed where it stopped, so a crash never serves half a generation and keeps every batch copied.
/// </remarks>
public sealed partial class PostgresCollectionStore
{
    private const int BuildBatch = 256;
    private const int WriteAttempts = 10;

    private readonly Guid _builder = Guid.NewGuid();
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<string, Task> _builds = new(StringComparer.Ordinal);
    private Task _resumer = Task.CompletedTask;

    /// <summary>The <c>semmatch_collections</c> key of a collection's generation.</summary>
    private static string KeyOf(string name, int generation) =>
        generation == 1 ? name : $"{name}~{generation.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <inheritdoc />
    /// <remarks>
    /// The build runs in this replica while it holds the lease; if the replica stops, another one (or this one, started
    /// again) resumes it within <see cref="PostgresStoreOptions.BuildLease"/>.
    /// </remarks>
    public async Task<int> StartGenerationAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Check();
        CheckLanguage(settings);
        await LineageAsync(name, cancellationToken).ConfigureAwait(false); // not found first
        var encoder = CollectionModels.Load(settings, _models, _options.Rankers).Encoder; // an unknown model, before anything is written
        var number = await RunAsync(async (connection, transaction, token) =>
        {
            var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            if (lineage.Building is { } running)
            {
                throw new GenerationConflictException($"collection '{name}': generation {running.Number} is still being built; wait for it to finish");
            }

            var number = Math.Max(lineage.Serving.Number, lineage.Previous?.Number ?? 0) + 1;
            await InsertGenerationAsync(connection, transaction, name, number, settings, encoder.Dimension, lineage.Serving.SynonymsJson, token)
                .ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, """
                UPDATE semmatch_generations SET building = $2, builder = $3, lease_until = now() + make_interval(secs => $4), failure = NULL
                WHERE collection = $1
                """, token, name, number, _builder, _options.BuildLease.TotalSeconds).ConfigureAwait(false);
            return number;
        }, cancellationToken).ConfigureAwait(false);
        StartBuild(name, number);
        return number;
    }

    /// <inheritdoc />
    /// <exception cref="GenerationConflictException">No previous generation, or one is being built.</exception>
    public async Task<int> RollbackAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return await RunAsync(async (connection, transaction, token) =>
        {
            var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            if (lineage.Building is { } running)
            {
                throw new GenerationConflictException($"collection '{name}': generation {running.Number} is being built; roll back once it serves");
            }

            if (lineage.Previous is not { } previous)
            {
                throw new GenerationConflictException($"collection '{name}' has no previous generation to roll back to");
            }

            await ExecuteAsync(connection, transaction, "UPDATE semmatch_generations SET serving = previous, previous = serving WHERE collection = $1",
                token, name).ConfigureAwait(false);
            return previous.Number;
        }, cancellationToken).ConfigureAwait(false);
    }

    private void StartBuild(string name, int number)
    {
        var token = _closing.Token;
        _builds[name] = Task.Run(() => BuildAsync(name, number, token), CancellationToken.None); // outlives the request that started it
    }

    // Copies the serving generation's records in id order, skipping those already in (a resumed build), then switches.
    private async Task BuildAsync(string name, int number, CancellationToken cancellationToken)
    {
        try
        {
            string? after = null;
            while (true)
            {
                var lineage = await LineageAsync(name, cancellationToken).ConfigureAwait(false);
                if (lineage.Building is not { } building || building.Number != number || lineage.Builder != _builder)
                {
                    return; // switched, discarded, or taken over by another replica
                }

                var batch = await UncopiedAsync(lineage.Serving.Key, building.Key, after, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    if (await SwitchAsync(name, number, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    after = null; // a record is still missing: go round again
                    continue;
                }

                var rows = RecordRows.Of(Searcher(name, building), batch, cancellationToken);
                var kept = await RunAsync(async (connection, transaction, token) =>
                {
                    var current = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
                    if (current.Building?.Number != number || current.Builder != _builder)
                    {
                        return false;
                    }

                    await ExecuteAsync(connection, transaction,
                        "UPDATE semmatch_generations SET lease_until = now() + make_interval(secs => $2) WHERE collection = $1",
                        token, name, _options.BuildLease.TotalSeconds).ConfigureAwait(false);
                    await UpsertRowsAsync(connection, transaction, building.Key, rows, copiedFrom: current.Serving.Key, token).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
                if (!kept)
                {
                    return;
                }

                after = batch[^1].Id;
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested || e is OperationCanceledException or CollectionNotFoundException or StoreUnavailableException)
        {
            // Closing (a query cancelled mid-transaction can surface as a disposed transaction), dropped, or the database
            // unreachable: the lease runs out and a replica resumes the build.
        }
        catch (Exception e)
        {
            await DiscardAsync(name, number, e.Message).ConfigureAwait(false);
        }
        finally
        {
            _builds.TryRemove(name, out _);
        }
    }

    // The next records of the serving generation after `after` (id order) that the new generation lacks.
    private Task<IReadOnlyList<Record>> UncopiedAsync(string serving, string building, string? after, CancellationToken cancellationToken) =>
        RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT s.id, s.fields::text FROM semmatch_records s
                WHERE s.collection = $1 AND ($3::text IS NULL OR s.id > $3)
                  AND NOT EXISTS (SELECT 1 FROM semmatch_records b WHERE b.collection = $2 AND b.id = s.id)
                ORDER BY s.id LIMIT $4
                """, connection, transaction);
            command.Parameters.Add(new() { Value = serving });
            command.Parameters.Add(new() { Value = building });
            command.Parameters.Add(new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = BuildBatch });
            var records = new List<Record>();
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                records.Add(PostgresRetrieval.ReadRecord(reader.GetString(0), reader.GetString(1)));
            }

            return (IReadOnlyList<Record>)records;
        }, cancellationToken);

    // The switch, in one transaction: only when every serving record is in the new generation. The generation before
    // the previous one is deleted. False when a record is still missing.
    private Task<bool> SwitchAsync(string name, int number, CancellationToken cancellationToken) =>
        RunAsync(async (connection, transaction, token) =>
        {
            var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            if (lineage.Building is not { } building || building.Number != number || lineage.Builder != _builder)
            {
                return true;
            }

            await using (var missing = new NpgsqlCommand("""
                SELECT EXISTS (SELECT 1 FROM semmatch_records s WHERE s.collection = $1
                               AND NOT EXISTS (SELECT 1 FROM semmatch_records b WHERE b.collection = $2 AND b.id = s.id))
                """, connection, transaction))
            {
                missing.Parameters.Add(new() { Value = lineage.Serving.Key });
                missing.Parameters.Add(new() { Value = building.Key });
                if ((bool)(await missing.ExecuteScalarAsync(token).ConfigureAwait(false))!)
                {
                    return false;
                }
            }

            if (lineage.Previous is { } retired)
            {
                await DropGenerationAsync(connection, transaction, name, retired.Number, token).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, """
                UPDATE semmatch_generations SET previous = serving, serving = building, building = NULL, builder = NULL, lease_until = NULL
                WHERE collection = $1
                """, token, name).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    // A build that failed for a reason other than the database (a model that cannot encode ...): its rows go, and why is kept.
    private async Task DiscardAsync(string name, int number, string reason)
    {
        try
        {
            await RunAsync(async (connection, transaction, token) =>
            {
                var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
                if (lineage.Building?.Number == number && lineage.Builder == _builder)
                {
                    await DropGenerationAsync(connection, transaction, name, number, token).ConfigureAwait(false);
                    await ExecuteAsync(connection, transaction,
                        "UPDATE semmatch_generations SET building = NULL, builder = NULL, lease_until = NULL, failure = $2 WHERE collection = $1",
                        token, name, $"generation {number}: {reason}").ConfigureAwait(false);
                }

                return 0;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoreUnavailableException or CollectionNotFoundException)
        {
            // The lease runs out; whoever resumes the build meets the same failure and discards it.
        }
    }

    // Takes over every build whose lease ran out, now and every half lease, until the store closes.
    private async Task ResumeAbandonedBuildsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.BuildLease / 2);
        try
        {
            do
            {
                try
                {
                    var claimed = await RunAsync(async (connection, transaction, token) =>
                    {
                        await using var claim = new NpgsqlCommand("""
                            UPDATE semmatch_generations SET builder = $1, lease_until = now() + make_interval(secs => $2)
                            WHERE building IS NOT NULL AND (lease_until IS NULL OR lease_until < now())
                            RETURNING collection, building
                            """, connection, transaction);
                        claim.Parameters.Add(new() { Value = _builder });
                        claim.Parameters.Add(new() { Value = _options.BuildLease.TotalSeconds });
                        var builds = new List<(string, int)>();
                        await using var reader = await claim.ExecuteReaderAsync(token).ConfigureAwait(false);
                        while (await reader.ReadAsync(token).ConfigureAwait(false))
                        {
                            builds.Add((reader.GetString(0), reader.GetInt32(1)));
                        }

                        return builds;
                    }, cancellationToken).ConfigureAwait(false);
                    foreach (var (name, number) in claimed)
                    {
                        StartBuild(name, number);
                    }
                }
                catch (StoreUnavailableException)
                {
                    // Tried again at the next tick.
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Closing (a cancelled query can surface as a disposed transaction, not only as a cancellation).
        }
    }

    private async Task StopBuildsAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _resumer.ConfigureAwait(false);
        foreach (var build in _builds.Values)
        {
            await build.ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    // Locks the collection's generations row for the transaction and reads its generations; writers, builds, switches
    // and rollbacks of one collection take turns on it.
    private static async Task<StoredLineage> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name,
        CancellationToken cancellationToken)
    {
        await using (var command = new NpgsqlCommand("SELECT 1 FROM semmatch_generations WHERE collection = $1 FOR UPDATE", connection, transaction))
        {
            command.Parameters.Add(new() { Value = name });
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                throw new CollectionNotFoundException(name);
            }
        }

        return (await LineagesAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false)).Single();
    }

    private Task<StoredLineage> LineageAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async (connection, transaction, token) =>
            (await LineagesAsync(connection, transaction, name, token).ConfigureAwait(false)).SingleOrDefault() ?? throw new CollectionNotFoundException(name),
            cancellationToken);

    // Every collection's open generations, or the named one's.
    private static async Task<List<StoredLineage>> LineagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string? name,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT g.collection, v.generation, c.name, c.settings::text, c.dimension, c.record_count, c.synonyms::text,
                   g.serving, g.previous, g.building, g.builder, g.failure
            FROM semmatch_generations g
            CROSS JOIN LATERAL (VALUES (g.serving), (g.previous), (g.building)) v (generation)
            JOIN semmatch_collections c ON c.name = semmatch_generation_key(g.collection, v.generation)
            WHERE $1::text IS NULL OR g.collection = $1
            ORDER BY g.collection COLLATE "C"
            """, connection, transaction);
        command.Parameters.Add(new() { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var rows = new List<(string Collection, StoredGeneration Generation, int Serving, int? Previous, int? Building, Guid? Builder, string? Failure)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0),
                    new StoredGeneration(reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt64(5), reader.GetString(6)),
                    reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetInt32(9),
                    reader.IsDBNull(10) ? null : reader.GetGuid(10), reader.IsDBNull(11) ? null : reader.GetString(11)));
            }
        }

        return rows.GroupBy(r => r.Collection).Select(group =>
        {
            var first = group.First();
            StoredGeneration? Numbered(int? number) => number is null ? null : group.FirstOrDefault(r => r.Generation.Number == number).Generation;
            return new StoredLineage(first.Collection, Numbered(first.Serving)!, Numbered(first.Previous), Numbered(first.Building), first.Builder, first.Failure);
        }).ToList();
    }

    // A generation's row (and HNSW index for an HNSW collection); a leftover of the same key goes first.
    private static async Task InsertGenerationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, int number,
        CollectionSettings settings, int dimension, string synonymsJson, CancellationToken cancellationToken)
    {
        await DropGenerationAsync(connection, transaction, name, number, cancellationToken).ConfigureAwait(false);
        var key = KeyOf(name, number);
        await ExecuteAsync(connection, transaction,
            "INSERT INTO semmatch_collections (name, settings, dimension, synonyms) VALUES ($1, $2::jsonb, $3, $4::jsonb)",
            cancellationToken, key, settings.ToJson(), dimension, synonymsJson).ConfigureAwait(false);
        if (settings.VectorIndex == VectorIndexKind.Hnsw)
        {
            // A partial expression index per generation: each has its own dimension and metric.
            await ExecuteAsync(connection, transaction, $"""
                CREATE INDEX {IndexName(name, number)} ON semmatch_records
                USING hnsw ((embedding::vector({dimension})) {OperatorClass(settings.Metric)})
                WHERE collection = '{key}'
                """, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task DropGenerationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, int number,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM semmatch_collections WHERE name = $1", cancellationToken, KeyOf(name, number))
            .ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"DROP INDEX IF EXISTS {IndexName(name, number)}", cancellationToken).ConfigureAwait(false);
    }

    // Generation 1 keeps the name indexes always had; later ones are named by a hash, within PostgreSQL's 63 bytes.
    private static string IndexName(string name, int number) => number == 1
        ? $"\"semmatch_hnsw_{name}\""
        : $"\"semmatch_hnsw_{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}_{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..32]}\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken,
        params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One generation as stored: its row's key, settings and statistics.</summary>
    private sealed record StoredGeneration(int Number, string Key, string SettingsJson, int Dimension, long Count, string SynonymsJson);

    /// <summary>A collection's open generations, and the replica building one.</summary>
    private sealed record StoredLineage(string Name, StoredGeneration Serving, StoredGeneration? Previous, StoredGeneration? Building, Guid? Builder,
        string? Failure)
    {
        public List<StoredGeneration> Open { get; } = new[] { Serving, Previous, Building }.OfType<StoredGeneration>().ToList();

        // What a write was prepared for; it must find the same once it holds the lock.
        public string Shape => string.Join(';', Open.Select(g => $"{g.Number}:{g.SettingsJson}"));
    }
}
