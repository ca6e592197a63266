using System.Text.Json;
using Npgsql;
using Pgvector;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Search;
using SemanticMatch.Index.Keyword;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// One search's retrieval in SQL: the keyword and vector candidate lists are fetched together in one transaction
/// before the engine's pipeline runs (it asks for at most the depth fetched), so fusion, re-ranking and a learned
/// ranker run in the service exactly as for the embedded store. Records of every candidate come back with it; for a
/// learned ranker, so do both scores of every candidate (a second round trip fills in the keyword score of the dense
/// list's candidates and the similarity of the keyword list's).
/// </summary>
internal sealed class PostgresRetrieval : IRetrieval
{
    /// <summary>BM25's term-frequency saturation k1 (Lucene's default), as SQL text.</summary>
    private const string K1 = "1.2";

    /// <summary>k1 + 1.</summary>
    private const string K1PlusOne = "2.2";

    /// <summary>BM25's length normalisation b (Lucene's default), as SQL text.</summary>
    private const string B = "0.75";

    private readonly IReadOnlyList<SearchHit> _keyword;
    private readonly IReadOnlyList<SearchHit> _dense;
    private readonly Dictionary<string, IReadOnlyList<TermContribution>> _terms;
    private readonly float[]? _queryVector;
    private readonly CandidateScores? _scores;

    private PostgresRetrieval(SimilarityMetric metric, IReadOnlyList<SearchHit> keyword, IReadOnlyList<SearchHit> dense,
        Dictionary<string, IReadOnlyList<TermContribution>> terms, Dictionary<string, Record> records, float[]? queryVector,
        CandidateScores? scores)
    {
        Metric = metric;
        _keyword = keyword;
        _dense = dense;
        _terms = terms;
        Records = records;
        _queryVector = queryVector;
        _scores = scores;
    }

    /// <inheritdoc />
    public SimilarityMetric Metric { get; }

    /// <summary>The record of every candidate fetched.</summary>
    public IReadOnlyDictionary<string, Record> Records { get; }

    /// <inheritdoc />
    public IReadOnlyList<SearchHit> Keyword(string prepared, int k) => Take(_keyword, k);

    /// <inheritdoc />
    /// <remarks>The list fetched for the query's embedding (the pipeline passes that same embedding).</remarks>
    public IReadOnlyList<SearchHit> Dense(float[] query, int k) =>
        _queryVector is null ? throw new InvalidOperationException("the dense list was not fetched") : Take(_dense, k);

    /// <summary>The whole dense list fetched, best first.</summary>
    public IReadOnlyList<SearchHit> DenseHits => _dense;

    /// <inheritdoc />
    /// <remarks>
    /// Known for the keyword candidates fetched (as deep as the search reads); a record outside them, such as a hit
    /// found by dense retrieval only, is reported with no terms.
    /// </remarks>
    public IReadOnlyList<TermContribution> ExplainTerms(string prepared, string id) => _terms.GetValueOrDefault(id) ?? [];

    /// <inheritdoc />
    /// <remarks>Known for every candidate fetched when the lists were fetched with <c>scoreCandidates</c>.</remarks>
    /// <exception cref="InvalidOperationException">The scores were not fetched, or an id is not a candidate.</exception>
    public float[] KeywordScores(string prepared, IReadOnlyList<string> ids) => Scores(ids, s => s.Keyword);

    /// <inheritdoc />
    /// <remarks>Known for every candidate fetched when the lists were fetched with <c>scoreCandidates</c>.</remarks>
    /// <exception cref="InvalidOperationException">The scores were not fetched, or an id is not a candidate.</exception>
    public float[] DenseScores(float[] query, IReadOnlyList<string> ids) => Scores(ids, s => s.Dense);

    private float[] Scores(IReadOnlyList<string> ids, Func<CandidateScores, Dictionary<string, float>> which)
    {
        var scores = _scores is null ? throw new InvalidOperationException("the candidates' scores were not fetched") : which(_scores);
        return ids.Select(id => Records.ContainsKey(id)
            ? scores.GetValueOrDefault(id) // a candidate without a keyword score matched no query word
            : throw new InvalidOperationException($"'{id}' is not a candidate of this search")).ToArray();
    }

    /// <summary>Fetches the candidate lists.</summary>
    /// <param name="connection">An open connection inside <paramref name="transaction"/>.</param>
    /// <param name="transaction">The search's (read-only) transaction, for its local settings.</param>
    /// <param name="collection">The collection's name (validated: it is written into the SQL so partial indexes apply).</param>
    /// <param name="dimension">Its vector length.</param>
    /// <param name="metric">Its vector metric.</param>
    /// <param name="prepared">The prepared query, for keyword retrieval; null = no keyword list.</param>
    /// <param name="queryVector">The query's embedding; null = no dense list.</param>
    /// <param name="depth">Candidates per list.</param>
    /// <param name="filters">The search's filters, applied in SQL.</param>
    /// <param name="options">Keyword ranking and ef_search.</param>
    /// <param name="scoreCandidates">Also fetch both scores of every candidate (for a learned ranker; needs both lists).</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public static async Task<PostgresRetrieval> FetchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string collection, int dimension,
        SimilarityMetric metric, string? prepared, float[]? queryVector, int depth, IReadOnlyList<FieldFilter> filters, PostgresStoreOptions options,
        bool scoreCandidates, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, Record>(StringComparer.Ordinal);
        var terms = new Dictionary<string, IReadOnlyList<TermContribution>>(StringComparer.Ordinal);
        var keyword = new List<SearchHit>();
        var dense = new List<SearchHit>();
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Filtered HNSW scans go on until enough rows pass the filter, in exact distance order (pgvector >= 0.8).
        var settings = new NpgsqlBatchCommand("SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true)");
        settings.Parameters.Add(new NpgsqlParameter { Value = Math.Max(options.EfSearch, depth).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        batch.BatchCommands.Add(settings);
        if (prepared is not null)
        {
            batch.BatchCommands.Add(KeywordCommand(collection, prepared, depth, filters, options));
        }

        if (queryVector is not null)
        {
            batch.BatchCommands.Add(DenseCommand(collection, dimension, metric, queryVector, depth, filters));
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // the settings
            if (prepared is not null)
            {
                await ReadKeywordAsync(reader, keyword, records, terms, cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            if (queryVector is not null)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetString(0);
                    dense.Add(new SearchHit(id, ToScore(metric, reader.GetDouble(1))));
                    records[id] = ReadRecord(id, reader.GetString(2));
                }
            }
        }

        // The HNSW index returns distance order only; ties (equal texts) are put in id order as the embedded store does.
        dense.Sort((a, b) => b.Score.CompareTo(a.Score) is var c and not 0 ? c : string.CompareOrdinal(a.ProductId, b.ProductId));
        var scores = scoreCandidates
            ? await ScoreCandidatesAsync(connection, transaction, collection, dimension, metric,
                prepared ?? throw new ArgumentException("scoring candidates needs the keyword list", nameof(prepared)),
                queryVector ?? throw new ArgumentException("scoring candidates needs the dense list", nameof(queryVector)),
                keyword, dense, terms, options, cancellationToken).ConfigureAwait(false)
            : null;
        return new PostgresRetrieval(metric, keyword, dense, terms, records, queryVector, scores);
    }

    // The keyword score of every dense candidate the keyword list lacks (no row: it matches no query word, score 0) and
    // the similarity of every keyword candidate the dense list lacks, in one round trip; terms come with the scores.
    private static async Task<CandidateScores> ScoreCandidatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string collection,
        int dimension, SimilarityMetric metric, string prepared, float[] queryVector, List<SearchHit> keyword, List<SearchHit> dense,
        Dictionary<string, IReadOnlyList<TermContribution>> terms, PostgresStoreOptions options, CancellationToken cancellationToken)
    {
        var scores = new CandidateScores(
            keyword.ToDictionary(h => h.ProductId, h => h.Score, StringComparer.Ordinal),
            dense.ToDictionary(h => h.ProductId, h => h.Score, StringComparer.Ordinal));
        var needKeyword = dense.Select(h => h.ProductId).Where(id => !scores.Keyword.ContainsKey(id)).ToArray();
        var needDense = keyword.Select(h => h.ProductId).Where(id => !scores.Dense.ContainsKey(id)).ToArray();
        if (needKeyword.Length + needDense.Length == 0)
        {
            return scores;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(KeywordCommand(collection, prepared, needKeyword.Length, [], options, needKeyword));
        batch.BatchCommands.Add(DenseScoresCommand(collection, dimension, metric, queryVector, needDense));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var matched = new List<SearchHit>();
        await ReadKeywordAsync(reader, matched, null, terms, cancellationToken).ConfigureAwait(false);
        foreach (var hit in matched)
        {
            scores.Keyword[hit.ProductId] = hit.Score;
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            scores.Dense[reader.GetString(0)] = ToScore(metric, reader.GetDouble(1));
        }

        return scores;
    }

    private static async Task ReadKeywordAsync(NpgsqlDataReader reader, List<SearchHit> hits, Dictionary<string, Record>? records,
        Dictionary<string, IReadOnlyList<TermContribution>> terms, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            hits.Add(new SearchHit(id, reader.GetFloat(1)));
            if (records is not null)
            {
                records[id] = ReadRecord(id, reader.GetString(2));
            }

            terms[id] = reader.IsDBNull(3) ? [] : ReadTerms(reader.GetString(3));
        }
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

    // BM25 over the tsvector: tf from each lexeme's positions, df by a GIN lookup per query lexeme, N and the average
    // length from the collection's row (kept by every write). Same formula as Lucene's BM25Similarity.
    // $1 the query, $2 the depth; <where> further conditions on the records r.
    private static string Bm25Sql(string collection, string where) => $"""
            WITH q AS (
                SELECT DISTINCT lexeme, ('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''')::tsquery AS single
                FROM unnest(to_tsvector('english', $1))),
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
                WHERE r.collection = '{collection}' AND r.tsv @@ (SELECT string_agg(single::text, ' | ')::tsquery FROM q)
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

    private static List<SearchHit> Take(IReadOnlyList<SearchHit> hits, int k) => hits.Take(k).ToList();

    // Both scores of the candidates, by id (a keyword score is absent where no query word matches).
    private sealed record CandidateScores(Dictionary<string, float> Keyword, Dictionary<string, float> Dense);
}
