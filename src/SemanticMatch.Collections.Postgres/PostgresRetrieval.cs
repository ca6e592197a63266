using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using Pgvector;
using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// One search's retrieval in SQL, queried on demand: each list, score lookup or record fetch is one statement in its
/// own (read) transaction, as deep as the engine's pipeline asks, so fusion, re-ranking and a learned ranker run in the
/// service exactly as for the embedded store. Rows of a list carry their record's fields and (for BM25) each query
/// word's share of the score, kept for the rest of the search so hits and explanations need no second round trip.
/// </summary>
/// <remarks>Thread-safe: the pipeline asks for the keyword list while it embeds the query, then for the dense list.</remarks>
internal sealed class PostgresRetrieval(PostgresCollectionStore store, string collection, int dimension, SimilarityMetric metric,
    IReadOnlyList<FieldFilter> filters, PostgresStoreOptions options) : ICollectionRetrieval
{
    /// <summary>BM25's term-frequency saturation k1 (Lucene's default), as SQL text.</summary>
    private const string K1 = "1.2";

    /// <summary>k1 + 1.</summary>
    private const string K1PlusOne = "2.2";

    /// <summary>BM25's length normalisation b (Lucene's default), as SQL text.</summary>
    private const string B = "0.75";

    /// <summary>
    /// Rows fetched past the k nearest, so records tied at the cut are chosen by id as in process.
    /// DEVIATION: the HNSW index scan orders by distance only; a group of more than this many records tied at the k-th
    /// distance (duplicate texts) is cut where the scan stops, not by id.
    /// </summary>
    private const int TieMargin = 8;

    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<TermContribution>> _terms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, float> _keywordScores = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, float> _denseScores = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public SimilarityMetric Metric => metric;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken)
    {
        var hits = await store.RunAsync(async (connection, transaction, token) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { KeywordCommand(collection, prepared, k, filters, options) } };
            await using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
            return await ReadKeywordAsync(reader, keepRecords: true, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        foreach (var hit in hits)
        {
            _keywordScores[hit.ProductId] = hit.Score;
        }

        return hits;
    }

    /// <inheritdoc />
    public ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken) =>
        new(store.RunAsync(async (connection, transaction, token) =>
        {
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            command.Parameters.Add(new NpgsqlParameter { Value = prepared });
            var where = SqlFilters.Where(filters, "r", command.Parameters);
            command.CommandText = $"""
                WITH {QueryLexemes}
                SELECT count(*)::int FROM semmatch_records r
                WHERE r.collection = '{collection}' AND {AnyQueryLexeme} {where}
                """;
            return (int)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))!;
        }, cancellationToken));

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken)
    {
        var hits = await NearestAsync(query, k, exceptId: null, cancellationToken).ConfigureAwait(false);
        foreach (var hit in hits)
        {
            _denseScores[hit.ProductId] = hit.Score;
        }

        return hits;
    }

    /// <summary>The <paramref name="k"/> records nearest to <paramref name="query"/> other than <paramref name="exceptId"/>, best first, ties by id.</summary>
    public Task<List<SearchHit>> NearestAsync(float[] query, int k, string? exceptId, CancellationToken cancellationToken) =>
        store.RunAsync(async (connection, transaction, token) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            // Filtered HNSW scans go on until enough rows pass the filter, in exact distance order (pgvector >= 0.8).
            var settings = new NpgsqlBatchCommand("SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true)");
            settings.Parameters.Add(new NpgsqlParameter { Value = Math.Max(options.EfSearch, k + TieMargin).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            batch.BatchCommands.Add(settings);
            batch.BatchCommands.Add(DenseCommand(collection, dimension, metric, query, k + TieMargin, filters, exceptId));
            var dense = new List<SearchHit>();
            await using (var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false))
            {
                await reader.NextResultAsync(token).ConfigureAwait(false); // the settings
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    var id = reader.GetString(0);
                    dense.Add(new SearchHit(id, ToScore(metric, reader.GetDouble(1))));
                    _records[id] = ReadRecord(id, reader.GetString(2));
                }
            }

            // The HNSW index returns distance order only; ties (equal texts) are put in id order as the embedded store does.
            dense.Sort((a, b) => b.Score.CompareTo(a.Score) is var c and not 0 ? c : string.CompareOrdinal(a.ProductId, b.ProductId));
            return dense.Count > k ? dense[..k] : dense;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Scores the lists already gave are reused; the others are one statement (no row: no query word matches, score 0).</remarks>
    public async ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => !_keywordScores.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            var matched = await store.RunAsync(async (connection, transaction, token) =>
            {
                await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { KeywordCommand(collection, prepared, missing.Length, [], options, missing) } };
                await using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
                return await ReadKeywordAsync(reader, keepRecords: false, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            var found = matched.ToDictionary(h => h.ProductId, h => h.Score, StringComparer.Ordinal);
            foreach (var id in missing)
            {
                _keywordScores[id] = found.GetValueOrDefault(id);
            }
        }

        return ids.Select(id => _keywordScores[id]).ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => !_denseScores.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            await store.RunAsync(async (connection, transaction, token) =>
            {
                await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { DenseScoresCommand(collection, dimension, metric, query, missing) } };
                await using var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    _denseScores[reader.GetString(0)] = ToScore(metric, reader.GetDouble(1));
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        // A record deleted meanwhile has no vector: it scores as far as a vector can be.
        return ids.Select(id => _denseScores.TryGetValue(id, out var score) ? score : float.MinValue).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>Known already for the keyword list's records; for another record (one found by dense retrieval only) one statement.</remarks>
    public async ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken)
    {
        if (!_terms.ContainsKey(id))
        {
            await KeywordScoresAsync(prepared, [id], cancellationToken).ConfigureAwait(false);
        }

        return _terms.GetValueOrDefault(id) ?? [];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Record?>> RecordsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => !_records.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            await store.RunAsync(async (connection, transaction, token) =>
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT id, fields::text FROM semmatch_records WHERE collection = '{collection}' AND id = ANY($1)", connection, transaction);
                command.Parameters.Add(new() { Value = missing });
                await using var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    _records[reader.GetString(0)] = ReadRecord(reader.GetString(0), reader.GetString(1));
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        return ids.Select(id => _records.GetValueOrDefault(id)).ToList();
    }

    // Reads keyword rows (id, score, fields, parts), keeping each row's terms and, when asked, its record.
    private async Task<List<SearchHit>> ReadKeywordAsync(NpgsqlDataReader reader, bool keepRecords, CancellationToken cancellationToken)
    {
        var hits = new List<SearchHit>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            hits.Add(new SearchHit(id, reader.GetFloat(1)));
            if (keepRecords)
            {
                _records[id] = ReadRecord(id, reader.GetString(2));
            }

            _terms[id] = reader.IsDBNull(3) ? [] : ReadTerms(reader.GetString(3));
        }

        return hits;
    }

    /// <summary>Reads a record stored as JSONB fields.</summary>
    public static Record ReadRecord(string id, string fieldsJson)
    {
        using var document = JsonDocument.Parse(fieldsJson);
        return new Record(id, document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal));
    }

    /// <summary>The SQL distance operator of a metric.</summary>
    public static string DistanceOperator(SimilarityMetric metric) => metric switch
    {
        SimilarityMetric.Cosine => "<=>",
        SimilarityMetric.Dot => "<#>",
        SimilarityMetric.Euclidean => "<->",
        _ => throw new ArgumentException($"{metric} is not a vector metric", nameof(metric)),
    };

    /// <summary>The engine's similarity (<see cref="VectorSimilarity.Score"/>) from pgvector's distance.</summary>
    public static float ToScore(SimilarityMetric metric, double distance) => (float)(metric switch
    {
        SimilarityMetric.Cosine => 1 - distance,
        _ => -distance, // <#> is the negative inner product; <-> the Euclidean distance (the engine scores its negative)
    });

    /// <summary>Nearest records by vector, with their distance and fields.</summary>
    public static NpgsqlBatchCommand DenseCommand(string collection, int dimension, SimilarityMetric metric, float[] query, int depth,
        IReadOnlyList<FieldFilter> filters, string? exceptId = null)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = new Vector(query) });
        command.Parameters.Add(new NpgsqlParameter { Value = depth });
        var except = exceptId is null ? string.Empty : $" AND r.id <> ${Add(command, exceptId)}";
        var distance = $"r.embedding::vector({dimension}) {DistanceOperator(metric)} $1";
        command.CommandText = $"""
            SELECT r.id, {distance} AS distance, r.fields::text
            FROM semmatch_records r
            WHERE r.collection = '{collection}'{except}{SqlFilters.Where(filters, "r", command.Parameters)}
            ORDER BY {distance}
            LIMIT $2
            """;
        return command;
    }

    // The similarity of the given records to the query, by the same distance as the dense list.
    private static NpgsqlBatchCommand DenseScoresCommand(string collection, int dimension, SimilarityMetric metric, float[] query, string[] ids)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = new Vector(query) });
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.CommandText = $"""
            SELECT r.id, r.embedding::vector({dimension}) {DistanceOperator(metric)} $1
            FROM semmatch_records r
            WHERE r.collection = '{collection}' AND r.id = ANY($2)
            """;
        return command;
    }

    // The keyword list: the best matches, or the matches among <only> when given.
    private static NpgsqlBatchCommand KeywordCommand(string collection, string prepared, int depth, IReadOnlyList<FieldFilter> filters,
        PostgresStoreOptions options, string[]? only = null)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = prepared });
        command.Parameters.Add(new NpgsqlParameter { Value = depth });
        var where = SqlFilters.Where(filters, "r", command.Parameters) + (only is null ? string.Empty : $" AND r.id = ANY(${Add(command, only)})");
        command.CommandText = options.KeywordRanking == KeywordRanking.Bm25 ? Bm25Sql(collection, where) : TsRankSql(collection, where);
        return command;
    }

    // The query's distinct lexemes ($1 through the english configuration), each as a one-lexeme tsquery.
    private const string QueryLexemes = """
        q AS (
            SELECT DISTINCT lexeme, ('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''')::tsquery AS single
            FROM unnest(to_tsvector('english', $1)))
        """;

    // A record r holds at least one of the query's lexemes (the keyword list's membership, and its count).
    private const string AnyQueryLexeme = "r.tsv @@ (SELECT string_agg(single::text, ' | ')::tsquery FROM q)";

    // BM25 over the tsvector: tf from each lexeme's positions, df by a GIN lookup per query lexeme, N and the average
    // length from the collection's row (kept by every write). Same formula as Lucene's BM25Similarity.
    // $1 the query, $2 the depth; <where> further conditions on the records r.
    private static string Bm25Sql(string collection, string where) => $"""
            WITH {QueryLexemes},
            stats AS (
                SELECT greatest(record_count, 1)::float8 AS n, greatest(total_length::float8 / greatest(record_count, 1), 1) AS avgdl
                FROM semmatch_collections WHERE name = '{collection}'),
            terms AS (
                SELECT q.lexeme, ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) AS idf
                FROM q CROSS JOIN stats s
                CROSS JOIN LATERAL (SELECT count(*)::float8 AS df FROM semmatch_records r
                                    WHERE r.collection = '{collection}' AND r.tsv @@ q.single) d),
            matched AS (
                SELECT r.id, r.doc_length, r.tsv FROM semmatch_records r
                WHERE r.collection = '{collection}' AND {AnyQueryLexeme}
                {where}),
            parts AS (
                SELECT m.id, t.lexeme, t.idf * cardinality(u.positions) * {K1PlusOne}
                    / (cardinality(u.positions) + {K1} * (1 - {B} + {B} * m.doc_length / s.avgdl)) AS part
                FROM matched m CROSS JOIN stats s
                CROSS JOIN LATERAL unnest(m.tsv) u
                JOIN terms t ON t.lexeme = u.lexeme),
            ranked AS (
                SELECT id, sum(part)::float4 AS score, jsonb_object_agg(lexeme, part)::text AS parts
                FROM parts GROUP BY id ORDER BY score DESC, id LIMIT $2)
            SELECT ranked.id, ranked.score, r.fields::text, ranked.parts
            FROM ranked JOIN semmatch_records r ON r.collection = '{collection}' AND r.id = ranked.id
            ORDER BY ranked.score DESC, ranked.id
            """;

    private static string TsRankSql(string collection, string where) => $"""
            WITH q AS (SELECT replace(plainto_tsquery('english', $1)::text, ' & ', ' | ') AS text)
            SELECT r.id, ts_rank_cd(r.tsv, q.text::tsquery)::float4 AS score, r.fields::text, NULL::text
            FROM semmatch_records r CROSS JOIN q
            WHERE q.text <> '' AND r.collection = '{collection}' AND r.tsv @@ q.text::tsquery
            {where}
            ORDER BY score DESC, r.id
            LIMIT $2
            """;

    private static string Add(NpgsqlBatchCommand command, object value)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<TermContribution> ReadTerms(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().Select(p => new TermContribution(p.Name, p.Name, (float)p.Value.GetDouble())).ToList();
    }

    /// <inheritdoc />
    /// <remarks>
    /// The same rules as the embedded store's Lucene speller (SpellingRules), over the collection's words table: one
    /// query finds which words are known, then one query per unknown word fetches its candidates (same first letter, near
    /// length), all in one transaction.
    /// </remarks>
    public async ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken)
    {
        var words = SpellingRules.CorrectableWords(normalized);
        if (words.Count == 0)
        {
            return normalized;
        }

        var corrections = await store.RunAsync(async (connection, transaction, token) =>
        {
            var known = new HashSet<string>(StringComparer.Ordinal);
            await using (var lookup = new NpgsqlCommand(
                "SELECT word FROM semmatch_words WHERE collection = $1 AND word = ANY($2) AND records > 0", connection, transaction))
            {
                lookup.Parameters.Add(new() { Value = collection });
                lookup.Parameters.Add(new() { Value = words.ToArray() });
                await using var reader = await lookup.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    known.Add(reader.GetString(0));
                }
            }

            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var word in words.Where(w => !known.Contains(w)))
            {
                await using var candidates = new NpgsqlCommand("""
                    SELECT word, records FROM semmatch_words
                    WHERE collection = $1 AND records > 0 AND left(word, 1) = $2 AND length(word) BETWEEN $3 AND $4
                    """, connection, transaction);
                candidates.Parameters.Add(new() { Value = collection });
                candidates.Parameters.Add(new() { Value = word[..1] });
                candidates.Parameters.Add(new() { Value = word.Length - SpellingRules.MaxEdits(word) });
                candidates.Parameters.Add(new() { Value = word.Length + SpellingRules.MaxEdits(word) });
                var list = new List<(string, int)>();
                await using var reader = await candidates.ExecuteReaderAsync(token).ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    list.Add((reader.GetString(0), reader.GetInt32(1)));
                }

                if (SpellingRules.Best(word, list) is { } better)
                {
                    found[word] = better;
                }
            }

            return found;
        }, cancellationToken).ConfigureAwait(false);
        return SpellingRules.Apply(normalized, corrections);
    }
}
