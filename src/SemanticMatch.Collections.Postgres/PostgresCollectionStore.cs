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
public sealed partial class PostgresCollectionStore : ICollectionStore
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
            if (options.ResumesBuilds)
            {
                store._resumer = store.ResumeAbandonedBuildsAsync(store._closing.Token);
            }
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
        CheckLanguage(settings);

        // The models must load before anything is written (an unknown model is the caller's mistake).
        var encoder = CollectionModels.Load(settings, _models, _options.Rankers).Encoder;

        var json = settings.ToJson();
        return await RunAsync(async (connection, transaction, token) =>
        {
            await CheckNoAliasConflictAsync(connection, transaction, name, dropping: false, token).ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO semmatch_generations (collection, serving) VALUES ($1, 1) ON CONFLICT (collection) DO NOTHING", connection, transaction))
            {
                insert.Parameters.Add(new() { Value = name });
                if (await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 0)
                {
                    var existing = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
                    return CollectionSettings.FromJson(existing.Serving.SettingsJson).ToJson() == json ? false : throw new CollectionConflictException(name);
                }
            }

            await InsertGenerationAsync(connection, transaction, name, 1, settings, encoder.Dimension, Synonyms.None.ToJson(), token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckLanguage(CollectionSettings settings)
    {
        if (settings.Language == Core.Text.TextLanguage.Zh)
        {
            throw new InvalidRequestException(
                "language: the PostgreSQL store analyses text with PostgreSQL's 'english' configuration only; Chinese ('zh') needs the embedded store");
        }
    }

    /// <inheritdoc />
    public async Task<bool> DropAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return await RunAsync(async (connection, transaction, token) =>
        {
            await CheckNoAliasConflictAsync(connection, transaction, name, dropping: true, token).ConfigureAwait(false);
            StoredLineage lineage;
            try
            {
                lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            }
            catch (CollectionNotFoundException)
            {
                return false;
            }

            foreach (var generation in lineage.Open)
            {
                await DropGenerationAsync(connection, transaction, name, generation.Number, token).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM semmatch_generations WHERE collection = $1", token, name).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Bytes are the records table's size shared out by record count (an estimate: the table is shared).</remarks>
    public Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default) => InfosAsync(null, cancellationToken);

    /// <inheritdoc />
    public async Task<CollectionInfo> DescribeAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return (await InfosAsync(name, cancellationToken).ConfigureAwait(false)).SingleOrDefault() ?? throw new CollectionNotFoundException(name);
    }

    // Every collection, or the one named (describing one reads its rows only).
    private Task<IReadOnlyList<CollectionInfo>> InfosAsync(string? name, CancellationToken cancellationToken) => RunAsync(async (connection, transaction, token) =>
    {
        var lineages = await LineagesAsync(connection, transaction, name, token).ConfigureAwait(false);
        await using var size = new NpgsqlCommand("""
            SELECT pg_total_relation_size('semmatch_records')::float8 / greatest((SELECT sum(record_count) FROM semmatch_collections), 1)
            """, connection, transaction);
        var bytesPerRecord = (double)(await size.ExecuteScalarAsync(token).ConfigureAwait(false))!;
        return (IReadOnlyList<CollectionInfo>)lineages.Select(l =>
        {
            var serving = l.Serving;
            var building = l.Building is { } b
                ? new GenerationBuild(b.Number, CollectionSettings.FromJson(b.SettingsJson), (int)Math.Min(b.Count, serving.Count), (int)serving.Count)
                : null;
            return new CollectionInfo(l.Name, CollectionSettings.FromJson(serving.SettingsJson), (int)serving.Count, serving.Dimension,
                (long)(bytesPerRecord * l.Open.Sum(g => g.Count)), serving.Number, building, l.Failure);
        }).ToList();
    }, cancellationToken);

    /// <inheritdoc />
    public async Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        CollectionSettings.CheckName(name);
        var lineage = await LineageAsync(name, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return 0;
        }

        // Embedded for each open generation outside the transaction; written to all of them in it, unless a generation
        // started, switched or rolled back meanwhile (then embedded again for what is open now).
        for (var attempt = 1; ; attempt++)
        {
            var rows = lineage.Open.Select(g => RecordRows.Of(Searcher(name, g), records, cancellationToken)).ToList();
            var prepared = lineage;
            var changed = await RunAsync(async (connection, transaction, token) =>
            {
                var current = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
                if (current.Shape != prepared.Shape)
                {
                    return current;
                }

                for (var i = 0; i < rows.Count; i++)
                {
                    await UpsertRowsAsync(connection, transaction, prepared.Open[i].Key, rows[i], copiedFrom: null, token).ConfigureAwait(false);
                }

                return null;
            }, cancellationToken).ConfigureAwait(false);
            if (changed is null)
            {
                return records.Count;
            }

            lineage = attempt < WriteAttempts
                ? changed
                : throw new GenerationConflictException($"collection '{name}': its generations kept changing during the write; nothing was written, try again");
        }
    }

    // Writes rows into one generation, keeping its word counts and statistics exact. A build's copy (copiedFrom: the
    // serving generation) writes only the records still there that no write has put in the new generation meanwhile.
    private static async Task UpsertRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, RecordRows rows, string? copiedFrom,
        CancellationToken cancellationToken)
    {
        var only = copiedFrom is null ? string.Empty : """
            WHERE EXISTS (SELECT 1 FROM semmatch_records s WHERE s.collection = $7 AND s.id = t.id)
              AND NOT EXISTS (SELECT 1 FROM semmatch_records b WHERE b.collection = $1 AND b.id = t.id)
            """;
        await using var upsert = new NpgsqlCommand($"""
            WITH input AS (
                SELECT * FROM unnest($2::text[], $3::jsonb[], $4::text[], $5::vector[], $6::text[]) AS t (id, fields, text, embedding, spelling_text)
                {only}),
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
        upsert.Parameters.Add(new() { Value = key });
        upsert.Parameters.Add(new() { Value = rows.Ids });
        upsert.Parameters.Add(new() { Value = rows.Fields, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        upsert.Parameters.Add(new() { Value = rows.Texts });
        upsert.Parameters.Add(new() { Value = rows.Embeddings });
        upsert.Parameters.Add(new() { Value = rows.Spelling, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        if (copiedFrom is not null)
        {
            upsert.Parameters.Add(new() { Value = copiedFrom });
        }

        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return await RunAsync(async (connection, transaction, token) =>
        {
            var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            var deleted = false;
            foreach (var generation in lineage.Open)
            {
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
                delete.Parameters.Add(new() { Value = generation.Key });
                delete.Parameters.Add(new() { Value = id });
                var gone = (long)(await delete.ExecuteScalarAsync(token).ConfigureAwait(false))! == 1;
                deleted |= generation == lineage.Serving && gone;
            }

            return deleted;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        var (record, searcher) = await RunAsync(async (connection, transaction, token) =>
        {
            var serving = ((await LineagesAsync(connection, transaction, name, token).ConfigureAwait(false)).SingleOrDefault()
                ?? throw new CollectionNotFoundException(name)).Serving;
            await using var command = new NpgsqlCommand("SELECT fields::text FROM semmatch_records WHERE collection = $1 AND id = $2", connection, transaction);
            command.Parameters.Add(new() { Value = serving.Key });
            command.Parameters.Add(new() { Value = id });
            var fields = await command.ExecuteScalarAsync(token).ConfigureAwait(false) as string;
            return (fields is null ? null : PostgresRetrieval.ReadRecord(id, fields), Searcher(name, serving));
        }, cancellationToken).ConfigureAwait(false);
        return record?.Without(searcher.PrivateFields);
    }

    /// <inheritdoc />
    public async Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CollectionSettings.CheckName(name);
        var serving = (await LineageAsync(name, cancellationToken).ConfigureAwait(false)).Serving;
        var searcher = Searcher(name, serving);
        var result = await searcher.SearchAsync(query, (int)Math.Min(serving.Count, int.MaxValue),
            filters => new PostgresRetrieval(this, serving.Key, serving.Dimension, searcher.Settings.Metric, filters, _options),
            Synonyms.FromJson(serving.SynonymsJson), cancellationToken).ConfigureAwait(false);
        return result with { Generation = serving.Number };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        var serving = (await LineageAsync(name, cancellationToken).ConfigureAwait(false)).Serving;
        var searcher = Searcher(name, serving);
        var vector = await RunAsync(async (connection, transaction, token) =>
        {
            await using var lookup = new NpgsqlCommand("SELECT embedding FROM semmatch_records WHERE collection = $1 AND id = $2", connection, transaction);
            lookup.Parameters.Add(new() { Value = serving.Key });
            lookup.Parameters.Add(new() { Value = id });
            return await lookup.ExecuteScalarAsync(token).ConfigureAwait(false) as Vector;
        }, cancellationToken).ConfigureAwait(false);
        if (vector is null)
        {
            return null;
        }

        var retrieval = new PostgresRetrieval(this, serving.Key, serving.Dimension, searcher.Settings.Metric, [], _options);
        var nearest = await retrieval.NearestAsync(vector.ToArray(), top, exceptId: id, cancellationToken).ConfigureAwait(false);
        var records = await retrieval.RecordsAsync(nearest.Select(h => h.ProductId).ToList(), cancellationToken).ConfigureAwait(false);
        return searcher.Similar(id, nearest, top, records);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopBuildsAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

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

    // The searcher of a generation's settings (the same object while its settings are the same).
    private CollectionSearcher Searcher(string name, StoredGeneration generation)
    {
        var settings = CollectionSettings.FromJson(generation.SettingsJson);
        var current = _searchers.GetValueOrDefault(generation.Key);
        if (current is not null && current.Settings.ToJson() == settings.ToJson())
        {
            return current;
        }

        var searcher = new CollectionSearcher(name, settings, CollectionModels.Load(settings, _models, _options.Rankers));
        _searchers[generation.Key] = searcher;
        return searcher;
    }

    /// <inheritdoc />
    public async Task<Synonyms> SynonymsAsync(string name, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        return Synonyms.FromJson((await LineageAsync(name, cancellationToken).ConfigureAwait(false)).Serving.SynonymsJson);
    }

    /// <inheritdoc />
    /// <remarks>Every open generation gets them (a rollback or a switch keeps them).</remarks>
    public async Task SetSynonymsAsync(string name, Synonyms synonyms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(synonyms);
        CollectionSettings.CheckName(name);
        await RunAsync(async (connection, transaction, token) =>
        {
            var lineage = await LockAsync(connection, transaction, name, token).ConfigureAwait(false);
            foreach (var generation in lineage.Open)
            {
                await ExecuteAsync(connection, transaction, "UPDATE semmatch_collections SET synonyms = $2::jsonb WHERE name = $1", token,
                    generation.Key, synonyms.ToJson()).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>From the collection's words table (the shown fields' words and how many records hold each).</remarks>
    public async Task<IReadOnlyList<string>> SuggestAsync(string name, string prefix, int limit, Collections.Feedback.IPopularQueries? popular = null,
        CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(name);
        var serving = (await LineageAsync(name, cancellationToken).ConfigureAwait(false)).Serving;
        var normalized = Searcher(name, serving).SuggestionPrefix(prefix);
        return await Completions.SuggestAsync(normalized, limit, (prefixes, count, token) => WordsStartingWithAsync(serving.Key, prefixes, count, token),
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
}
