using Npgsql;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// The store's tables, created and upgraded by numbered migrations at start-up. Each migration runs once, in its own
/// transaction, under an advisory lock, so replicas starting together apply it once; a database newer than this
/// build is refused rather than misread.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The migrations in order; never edit one that has shipped, add the next.</summary>
    private static readonly (int Version, string Description, string Sql)[] s_migrations =
    [
        (1, "collections, records with tsvector and vectors, feedback", """
            CREATE EXTENSION IF NOT EXISTS vector;
            CREATE TABLE semmatch_collections (
                name text PRIMARY KEY,
                settings jsonb NOT NULL,
                dimension integer NOT NULL,
                record_count bigint NOT NULL DEFAULT 0,
                total_length bigint NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE semmatch_records (
                collection text NOT NULL REFERENCES semmatch_collections (name) ON DELETE CASCADE,
                id text NOT NULL,
                fields jsonb NOT NULL,
                text text NOT NULL,
                tsv tsvector NOT NULL,
                doc_length integer NOT NULL,
                embedding vector NOT NULL,
                PRIMARY KEY (collection, id));
            CREATE INDEX semmatch_records_tsv ON semmatch_records USING gin (tsv);
            CREATE TABLE semmatch_feedback (
                collection text NOT NULL,
                seq bigserial,
                event jsonb NOT NULL,
                PRIMARY KEY (collection, seq));
            CREATE TABLE semmatch_secrets (
                name text PRIMARY KEY,
                value bytea NOT NULL);
            """),
        (2, "surface words per collection, for spelling correction", """
            CREATE TABLE semmatch_words (
                collection text NOT NULL REFERENCES semmatch_collections (name) ON DELETE CASCADE,
                word text NOT NULL,
                records integer NOT NULL,
                PRIMARY KEY (collection, word));
            INSERT INTO semmatch_words (collection, word, records)
            SELECT r.collection, w.word, count(DISTINCT r.id)
            FROM semmatch_records r CROSS JOIN LATERAL regexp_split_to_table(lower(r.text), '[^[:alpha:]]+') AS w (word)
            WHERE w.word <> ''
            GROUP BY r.collection, w.word;
            """),
        (3, "spelling words from the shown fields only (private fields are searched but never suggested)", """
            ALTER TABLE semmatch_records ADD COLUMN spelling_text text;
            CREATE TEMPORARY TABLE semmatch_hiding ON COMMIT DROP AS
                SELECT c.name FROM semmatch_collections c
                WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.settings -> 'fields') f (field)
                              WHERE f.field IN (SELECT jsonb_array_elements_text(c.settings -> 'privateFields')));
            UPDATE semmatch_records r SET spelling_text = coalesce((
                SELECT string_agg(e.value, ' ') FROM semmatch_collections c, jsonb_each_text(r.fields) e
                WHERE c.name = r.collection
                  AND e.key IN (SELECT jsonb_array_elements_text(c.settings -> 'fields'))
                  AND e.key NOT IN (SELECT jsonb_array_elements_text(c.settings -> 'privateFields'))), '')
            WHERE r.collection IN (SELECT name FROM semmatch_hiding);
            DELETE FROM semmatch_words WHERE collection IN (SELECT name FROM semmatch_hiding);
            INSERT INTO semmatch_words (collection, word, records)
            SELECT r.collection, w.word, count(DISTINCT r.id)
            FROM semmatch_records r CROSS JOIN LATERAL regexp_split_to_table(lower(r.spelling_text), '[^[:alpha:]]+') AS w (word)
            WHERE r.collection IN (SELECT name FROM semmatch_hiding) AND w.word <> ''
            GROUP BY r.collection, w.word;
            """),
        (4, "synonyms per collection, apart from the settings (changing them re-embeds nothing)", """
            ALTER TABLE semmatch_collections ADD COLUMN synonyms jsonb NOT NULL DEFAULT '[]'::jsonb;
            """),
        (5, "model generations: a collection's generations are rows of semmatch_collections keyed 'name' (1) and 'name~N'", """
            CREATE FUNCTION semmatch_generation_key(collection text, generation integer) RETURNS text
                LANGUAGE sql IMMUTABLE
                AS $key$ SELECT CASE WHEN generation = 1 THEN collection ELSE collection || '~' || generation END $key$;
            CREATE TABLE semmatch_generations (
                collection text PRIMARY KEY,
                serving integer NOT NULL,
                previous integer,
                building integer,
                builder uuid,
                lease_until timestamptz,
                failure text);
            INSERT INTO semmatch_generations (collection, serving) SELECT name, 1 FROM semmatch_collections;
            """),
        (6, "aliases: stable names for collections", """
            CREATE TABLE semmatch_aliases (
                alias text PRIMARY KEY,
                collection text NOT NULL REFERENCES semmatch_generations (collection));
            """),
        (7, "interleaving experiments, one per collection", """
            CREATE TABLE semmatch_experiments (
                collection text PRIMARY KEY REFERENCES semmatch_generations (collection) ON DELETE CASCADE,
                candidate text NOT NULL,
                share float8 NOT NULL,
                started timestamptz NOT NULL);
            """),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int Latest => s_migrations[^1].Version;

    /// <summary>Applies the migrations the database lacks; returns the versions applied.</summary>
    /// <exception cref="InvalidOperationException">The database was upgraded by a newer build.</exception>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var applied = new List<int>();
        foreach (var (version, description, sql) in s_migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7305129)", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS semmatch_schema_migrations (
                    version integer PRIMARY KEY,
                    description text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken).ConfigureAwait(false);
            if (await ScalarAsync<bool>(connection, transaction, $"SELECT EXISTS (SELECT 1 FROM semmatch_schema_migrations WHERE version = {version})",
                cancellationToken).ConfigureAwait(false))
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO semmatch_schema_migrations (version, description) VALUES ($1, $2)", connection, transaction))
            {
                record.Parameters.Add(new() { Value = version });
                record.Parameters.Add(new() { Value = description });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(version);
        }

        await using var check = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var newest = await ScalarAsync<int>(connection, check, "SELECT coalesce(max(version), 0) FROM semmatch_schema_migrations", cancellationToken)
            .ConfigureAwait(false);
        await check.CommitAsync(cancellationToken).ConfigureAwait(false);
        return newest > Latest
            ? throw new InvalidOperationException(
                $"the database's schema is version {newest}, newer than this build's {Latest}: upgrade semmatch before serving it")
            : applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
