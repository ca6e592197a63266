using System.Collections.Concurrent;
using Npgsql;
using Pgvector;
using Pgvector.Npgsql;
using SemanticMatch.Core;
using SemanticMatch.Search;
using SemanticMatch.Core.Keyword;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// Collections in PostgreSQL with pgvector: one records table (fields as JSONB, a <c>tsvector</c> with a GIN index, the
/// embedding with a per-collection HNSW index for HNSW collections), keyword and vector retrieval and filters in SQL,
/// fusion and re-ranking in the service. Keeps no state of its own, so any number of service replicas can share one
/// database: a write acknowledged by one is committed and seen by all.
/// </summary>
/// <remarks>
/// Thread-safe. Operations that fail because the database cannot be reached are retried with exponential backoff
/// (<see cref="PostgresStoreOptions.Retries"/>); after the last they throw <see cref="StoreUnavailableException"/>.
/// </remarks>
public sealed class PostgresCollectionStore : ICollectionStore
{
    private readonly NpgsqlDataSource _database;
    private readonly IModelProvider _models;
    private readonly PostgresStoreOptions _options;
    private readonly PostgresResilience _resilience;
    private readonly ConcurrentDictionary<string, CollectionSearcher> _searchers = new(StringComparer.Ordinal);

    private PostgresCollectionStore(NpgsqlDataSource database, IModelProvider models, PostgresStoreOptions options)
    {
        _database = database;
        _models = models;
        _options = options;
        _resilience = new PostgresResilience(options);
    }

    /// <summary>Connects, creates or upgrades the schema, and returns the store.</summary>
    /// <exception cref="InvalidRequestException">Broken options or connection string.</exception>
    /// <exception cref="StoreUnavailableException">The database cannot be reached (after the retries).</exception>
    public static async Task<PostgresCollectionStore> OpenAsync(IModelProvider models, PostgresStoreOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"postgres store: {problem}");
        }

        NpgsqlDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException($"the connection string is not valid: {e.Message}");
        }

        builder.UseVector();
        var database = builder.Build();
        var store = new PostgresCollectionStore(database, models, options);
        try
        {
            await store._resilience.RunAsync(token => PostgresSchema.MigrateAsync(database, token), cancellationToken).ConfigureAwait(false);
            await database.ReloadTypesAsync(cancellationToken).ConfigureAwait(false); // the vector type may be new
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("28", StringComparison.Ordinal) || e.SqlState.StartsWith("3D", StringComparison.Ordinal))
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw new InvalidRequestException($"the database refused the connection: {e.MessageText} (check the connection string)");
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return store;
    }

    /// <summary>The database in words: host, port and database name (never the password).</summary>
    public string Describe()
    {
        var connection = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        return $"{connection.Host}:{connection.Port}/{connection.Database ?? connection.Username}";
    }

    /// <inheritdoc />
    public Task<bool> FirstUseAsync(CancellationToken cancellationToken = default) => RunAsync(async (connection, transaction, token) =>
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO semmatch_secrets (name, value)
            SELECT 'initialised', '\x'::bytea WHERE NOT EXISTS (SELECT 1 FROM semmatch_collections)
            ON CONFLICT (name) DO NOTHING
            """, connection, transaction);
        return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
    }, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> CreateAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Check();
        if (settings.Language == Core.Text.TextLanguage.Zh)
        {
            throw new InvalidRequestException(
                "language: the PostgreSQL store analyses text with PostgreSQL's 'english' configuration only; Chinese ('zh') needs the embedded store");
        }

        // The models must load before anything is written (an unknown model is the caller's mistake).
        var encoder = CollectionModels.Load(settings, _models, _options.Rankers).Encoder;

        var json = settings.ToJson();
        return await RunAsync(async (connection, transaction, token) =>
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO semmatch_collections (name, settings, dimension) VALUES ($1, $2::jsonb, $3) ON CONFLICT (name) DO NOTHING",
                connection, transaction))
            {
                insert.Parameters.Add(new() { Value = name });
                insert.Parameters.Add(new() { Value = json });
                insert.Parameters.Add(new() { Value = encoder.Dimension });
                if (await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 0)
                {
                    var existing = await SettingsOfAsync(connection, transaction, name, token).ConfigureAwait(false);
                    return existing?.ToJson() == json ? false : throw new CollectionConflictException(name);
                }
            }

            if (settings.VectorIndex == VectorIndexKind.Hnsw)
            {
                // A partial expression index per collection: each collection has its own dimension and metric.
                await using var index = new NpgsqlCommand($"""
                    CREATE INDEX {IndexName(name)} ON semmatch_records
                    USING hnsw ((embedding::vector({encoder.Dimension})) {OperatorClass(settings.Metric)})
                    WHERE collection = '{name}'
                    """, connection, transaction);
                await index.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DropAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return await RunAsync(async (connection, transaction, token) =>
        {
            await using var drop = new NpgsqlCommand("DELETE FROM semmatch_collections WHERE name = $1", connection, transaction);
            drop.Parameters.Add(new() { Value = name });
            var dropped = await drop.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            await using var index = new NpgsqlCommand($"DROP INDEX IF EXISTS {IndexName(name)}", connection, transaction);
            await index.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            return dropped;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Bytes are the records table's size shared out by record count (an estimate: the table is shared).</remarks>
    public Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default) => InfosAsync(null, cancellationToken);

    /// <inheritdoc />
    public async Task<CollectionInfo> DescribeAsync(string name, CancellationToken cancellationToken = default) =>
        (await InfosAsync(name, cancellationToken).ConfigureAwait(false)).SingleOrDefault() ?? throw new CollectionNotFoundException(name);

    // Every collection, or the one named (describing one reads its row only).
    private Task<IReadOnlyList<CollectionInfo>> InfosAsync(string? name, CancellationToken cancellationToken) => RunAsync(async (connection, transaction, token) =>
    {
        await using var command = new NpgsqlCommand("""
            SELECT name, settings::text, dimension, record_count,
                   (pg_total_relation_size('semmatch_records') * record_count
                    / (SELECT greatest(sum(record_count), 1) FROM semmatch_collections))::bigint
            FROM semmatch_collections WHERE $1::text IS NULL OR name = $1 ORDER BY name COLLATE "C"
            """, connection, transaction);
        command.Parameters.Add(new() { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
        var infos = new List<CollectionInfo>();
        while (await reader.ReadAsync(token).ConfigureAwait(false))
        {
            infos.Add(new CollectionInfo(reader.GetString(0), CollectionSettings.FromJson(reader.GetString(1)), (int)reader.GetInt64(3),
                reader.GetInt32(2), reader.GetInt64(4)));
        }

        return (IReadOnlyList<CollectionInfo>)infos;
    }, cancellationToken);

    /// <inheritdoc />
    public async Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var (settingsJson, searcher) = await CollectionAsync(name, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return 0;
        }

        var vectors = searcher.Embed(records, cancellationToken);
        var ids = records.Select(r => r.Id).ToArray();
        var fields = records.Select(r => System.Text.Json.JsonSerializer.Serialize(r.Fields)).ToArray();
        var texts = records.Select(searcher.TextOf).ToArray();
        var spelling = records.Select((r, i) => searcher.PublicTextOf(r) is var shown && shown != texts[i] ? shown : null).ToArray();
        var embeddings = vectors.Select(v => new Vector(v)).ToArray();
        await RunAsync(async (connection, transaction, token) =>
        {
            // Writers of one collection take turns on its row, so its statistics stay exact.
            await LockAsync(connection, transaction, name, settingsJson, token).ConfigureAwait(false);
            await using var upsert = new NpgsqlCommand("""
                WITH input AS (
                    SELECT * FROM unnest($2::text[], $3::jsonb[], $4::text[], $5::vector[], $6::text[]) AS t (id, fields, text, embedding, spelling_text)),
                old AS (
                    SELECT r.id, r.doc_length, coalesce(r.spelling_text, r.text) AS spelling FROM semmatch_records r JOIN input i ON r.collection = $1 AND r.id = i.id),
                words AS (
                    INSERT INTO semmatch_words (collection, word, records)
                    SELECT $1, word, sum(change) FROM (
                        SELECT DISTINCT i.id, w.word, 1 AS change FROM input i, regexp_split_to_table(lower(coalesce(i.spelling_text, i.text)), '[^[:alpha:]]+') AS w (word)
                        UNION ALL
                        SELECT DISTINCT o.id, w.word, -1 FROM old o, regexp_split_to_table(lower(o.spelling), '[^[:alpha:]]+') AS w (word)) changes
                    WHERE word <> '' GROUP BY word HAVING sum(change) <> 0
                    ON CONFLICT (collection, word) DO UPDATE SET records = semmatch_words.records + EXCLUDED.records),
                analysed AS (
                    SELECT i.id, i.fields, i.text, to_tsvector('english', i.text) AS tsv, i.embedding, i.spelling_text FROM input i),
                written AS (
                    INSERT INTO semmatch_records (collection, id, fields, text, tsv, doc_length, embedding, spelling_text)
                    SELECT $1, a.id, a.fields, a.text, a.tsv, (SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(a.tsv)), a.embedding, a.spelling_text
                    FROM analysed a
                    ON CONFLICT (collection, id) DO UPDATE SET fields = EXCLUDED.fields, text = EXCLUDED.text, tsv = EXCLUDED.tsv,
                        doc_length = EXCLUDED.doc_length, embedding = EXCLUDED.embedding, spelling_text = EXCLUDED.spelling_text
                    RETURNING doc_length)
                UPDATE semmatch_collections SET
                    record_count = record_count + (SELECT count(*) FROM written) - (SELECT count(*) FROM old),
                    total_length = total_length + (SELECT coalesce(sum(doc_length), 0) FROM written) - (SELECT coalesce(sum(doc_length), 0) FROM old)
                WHERE name = $1
                """, connection, transaction);
            upsert.Parameters.Add(new() { Value = name });
            upsert.Parameters.Add(new() { Value = ids });
            upsert.Parameters.Add(new() { Value = fields, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            upsert.Parameters.Add(new() { Value = texts });
            upsert.Parameters.Add(new() { Value = embeddings });
            upsert.Parameters.Add(new() { Value = spelling, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            await upsert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return records.Count;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        var (settingsJson, _) = await CollectionAsync(name, cancellationToken).ConfigureAwait(false);
        return await RunAsync(async (connection, transaction, token) =>
        {
            await LockAsync(connection, transaction, name, settingsJson, token).ConfigureAwait(false);
            await using var delete = new NpgsqlCommand("""
                WITH gone AS (DELETE FROM semmatch_records WHERE collection = $1 AND id = $2 RETURNING doc_length, coalesce(spelling_text, text) AS spelling),
                words AS (
                    UPDATE semmatch_words SET records = records - 1
                    WHERE collection = $1 AND word IN (
                        SELECT w.word FROM gone, regexp_split_to_table(lower(gone.spelling), '[^[:alpha:]]+') AS w (word) WHERE w.word <> ''))
                UPDATE semmatch_collections SET record_count = record_count - (SELECT count(*) FROM gone),
                    total_length = total_length - (SELECT coalesce(sum(doc_length), 0) FROM gone)
                WHERE name = $1
                RETURNING (SELECT count(*) FROM gone)
                """, connection, transaction);
            delete.Parameters.Add(new() { Value = name });
            delete.Parameters.Add(new() { Value = id });
            var deleted = (long)(await delete.ExecuteScalarAsync(token).ConfigureAwait(false))! == 1;
            return deleted;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        var (record, searcher) = await RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT c.settings::text, r.fields::text FROM semmatch_collections c
                LEFT JOIN semmatch_records r ON r.collection = c.name AND r.id = $2
                WHERE c.name = $1
                """, connection, transaction);
            command.Parameters.Add(new() { Value = name });
            command.Parameters.Add(new() { Value = id });
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            if (!await reader.ReadAsync(token).ConfigureAwait(false))
            {
                throw new CollectionNotFoundException(name);
            }

            return (reader.IsDBNull(1) ? null : PostgresRetrieval.ReadRecord(id, reader.GetString(1)), Searcher(name, reader.GetString(0)));
        }, cancellationToken).ConfigureAwait(false);
        return record?.Without(searcher.PrivateFields);
    }

    /// <inheritdoc />
    public async Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (_, searcher, dimension, count, synonyms) = await DescribeForSearchAsync(name, cancellationToken).ConfigureAwait(false);
        return await searcher.SearchAsync(query, (int)Math.Min(count, int.MaxValue),
            filters => new PostgresRetrieval(this, name, dimension, searcher.Settings.Metric, filters, _options), synonyms, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default)
    {
        var (_, searcher, dimension, _, _) = await DescribeForSearchAsync(name, cancellationToken).ConfigureAwait(false);
        var vector = await RunAsync(async (connection, transaction, token) =>
        {
            await using var lookup = new NpgsqlCommand("SELECT embedding FROM semmatch_records WHERE collection = $1 AND id = $2", connection, transaction);
            lookup.Parameters.Add(new() { Value = name });
            lookup.Parameters.Add(new() { Value = id });
            return await lookup.ExecuteScalarAsync(token).ConfigureAwait(false) as Vector;
        }, cancellationToken).ConfigureAwait(false);
        if (vector is null)
        {
            return null;
        }

        var retrieval = new PostgresRetrieval(this, name, dimension, searcher.Settings.Metric, [], _options);
        var nearest = await retrieval.NearestAsync(vector.ToArray(), top, exceptId: id, cancellationToken).ConfigureAwait(false);
        var records = await retrieval.RecordsAsync(nearest.Select(h => h.ProductId).ToList(), cancellationToken).ConfigureAwait(false);
        return searcher.Similar(id, nearest, top, records);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static string IndexName(string collection) => $"\"semmatch_hnsw_{collection}\"";

    private static string OperatorClass(Core.Similarity.SimilarityMetric metric) => metric switch
    {
        Core.Similarity.SimilarityMetric.Cosine => "vector_cosine_ops",
        Core.Similarity.SimilarityMetric.Dot => "vector_ip_ops",
        _ => "vector_l2_ops",
    };

    /// <summary>Runs an operation on a pooled connection, retrying it while the database is unreachable.</summary>
    /// <remarks>
    /// Each operation is one transaction: atomic, and PGlite's connection multiplexer keeps a transaction's messages
    /// together (outside one, two clients' extended-protocol messages can interleave).
    /// </remarks>
    /// <param name="operation">The work, given the connection, its transaction and the token of this attempt.</param>
    /// <param name="cancellationToken">Cancels the operation and its retries.</param>
    internal Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        _resilience.RunAsync(async token =>
        {
            await using var connection = await _database.OpenConnectionAsync(token).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            var result = await operation(connection, transaction, token).ConfigureAwait(false);
            await transaction.CommitAsync(token).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    // The searcher of a collection's settings (the same object while the settings are the same).
    private CollectionSearcher Searcher(string name, string settingsJson)
    {
        var settings = CollectionSettings.FromJson(settingsJson);
        var current = _searchers.GetValueOrDefault(name);
        if (current is not null && current.Settings.ToJson() == settings.ToJson())
        {
            return current;
        }

        var searcher = new CollectionSearcher(name, settings, CollectionModels.Load(settings, _models, _options.Rankers));
        _searchers[name] = searcher;
        return searcher;
    }

    private async Task<(string Json, CollectionSearcher Searcher)> CollectionAsync(string name, CancellationToken cancellationToken)
    {
        var (json, searcher, _, _, _) = await DescribeForSearchAsync(name, cancellationToken).ConfigureAwait(false);
        return (json, searcher);
    }

    private async Task<(string Json, CollectionSearcher Searcher, int Dimension, long Count, Synonyms Synonyms)> DescribeForSearchAsync(string name,
        CancellationToken cancellationToken)
    {
        CollectionSettings.CheckName(name);
        var (json, dimension, count, synonyms) = await RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT settings::text, dimension, record_count, synonyms::text FROM semmatch_collections WHERE name = $1", connection, transaction);
            command.Parameters.Add(new() { Value = name });
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            return await reader.ReadAsync(token).ConfigureAwait(false)
                ? (reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3))
                : throw new CollectionNotFoundException(name);
        }, cancellationToken).ConfigureAwait(false);
        return (json, Searcher(name, json), dimension, count, SynonymsOf(synonyms));
    }

    private static Synonyms SynonymsOf(string json) => Synonyms.FromJson(json);

    /// <inheritdoc />
    public async Task<Synonyms> SynonymsAsync(string name, CancellationToken cancellationToken = default) =>
        (await DescribeForSearchAsync(name, cancellationToken).ConfigureAwait(false)).Synonyms;

    /// <inheritdoc />
    public async Task SetSynonymsAsync(string name, Synonyms synonyms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(synonyms);
        CollectionSettings.CheckName(name);
        var updated = await RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand("UPDATE semmatch_collections SET synonyms = $2::jsonb WHERE name = $1", connection, transaction);
            command.Parameters.Add(new() { Value = name });
            command.Parameters.Add(new() { Value = synonyms.ToJson() });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            throw new CollectionNotFoundException(name);
        }
    }

    /// <inheritdoc />
    /// <remarks>Not built for this store yet: a new model needs a new collection here.</remarks>
    public async Task<int> StartGenerationAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default)
    {
        await DescribeAsync(name, cancellationToken).ConfigureAwait(false);
        throw new InvalidRequestException($"collection '{name}': model generations are built by the embedded store only so far; in PostgreSQL create a new collection with the new model");
    }

    /// <inheritdoc />
    public async Task<int> RollbackAsync(string name, CancellationToken cancellationToken = default)
    {
        await DescribeAsync(name, cancellationToken).ConfigureAwait(false);
        throw new GenerationConflictException($"collection '{name}' has no previous generation to roll back to");
    }

    /// <inheritdoc />
    /// <remarks>From the collection's words table (the shown fields' words and how many records hold each).</remarks>
    public async Task<IReadOnlyList<string>> SuggestAsync(string name, string prefix, int limit, Collections.Feedback.IPopularQueries? popular = null,
        CancellationToken cancellationToken = default)
    {
        var (_, searcher, _, _, _) = await DescribeForSearchAsync(name, cancellationToken).ConfigureAwait(false);
        var normalized = searcher.SuggestionPrefix(prefix);
        return await Completions.SuggestAsync(normalized, limit, (prefixes, count, token) => WordsStartingWithAsync(name, prefixes, count, token),
            popular is null ? null : p => popular.StartingWith(name, p, limit), cancellationToken).ConfigureAwait(false);
    }

    // The words starting with any of the prefixes, most records first, in one scan of the collection's words: each
    // word's first letters are compared with the prefixes of that length (a typo's variants have up to three lengths).
    private async ValueTask<IReadOnlyList<CatalogueWord>> WordsStartingWithAsync(string name, IReadOnlyList<string> prefixes, int count,
        CancellationToken cancellationToken) =>
        await RunAsync(async (connection, transaction, token) =>
        {
            var byLength = prefixes.GroupBy(p => p.Length).ToList();
            var matches = string.Join(" OR ", byLength.Select((_, i) => $"left(word, ${(2 * i) + 3}) = ANY(${(2 * i) + 4}::text[])"));
            await using var command = new NpgsqlCommand($"""
                SELECT word, records FROM semmatch_words
                WHERE collection = $1 AND records > 0 AND ({matches})
                ORDER BY records DESC, word COLLATE "C" LIMIT $2
                """, connection, transaction);
            command.Parameters.Add(new() { Value = name });
            command.Parameters.Add(new() { Value = count });
            foreach (var group in byLength)
            {
                command.Parameters.Add(new() { Value = group.Key });
                command.Parameters.Add(new() { Value = group.ToArray() });
            }

            var found = new List<CatalogueWord>();
            await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                found.Add(new CatalogueWord(reader.GetString(0), reader.GetInt32(1)));
            }

            return (IReadOnlyList<CatalogueWord>)found;
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<CollectionSettings?> SettingsOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT settings::text FROM semmatch_collections WHERE name = $1", connection, transaction);
        command.Parameters.Add(new() { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? CollectionSettings.FromJson(json) : null;
    }

    // Locks the collection's row for the write, checking it still has the settings the batch was embedded for
    // (another replica may have dropped and re-created it meanwhile).
    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string settingsJson,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT settings::text FROM semmatch_collections WHERE name = $1 FOR UPDATE", connection, transaction);
        command.Parameters.Add(new() { Value = name });
        var current = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (current != settingsJson)
        {
            throw new CollectionNotFoundException(name);
        }
    }
}
