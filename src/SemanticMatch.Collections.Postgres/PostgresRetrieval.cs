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
/// before the engine's pipeline runs (it asks for at most the depth fetched), so fusion and re-ranking run in the
/// service exactly as for the embedded store. Records of every candidate come back with it.
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

    private PostgresRetrieval(SimilarityMetric metric, IReadOnlyList<SearchHit> keyword, IReadOnlyList<SearchHit> dense,
        Dictionary<string, IReadOnlyList<TermContribution>> terms, Dictionary<string, Record> records, float[]? queryVector)
    {
        Metric = metric;
        _keyword = keyword;
        _dense = dense;
        _terms = terms;
        Records = records;
        _queryVector = queryVector;
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
    /// <exception cref="InvalidRequestException">Always: a learned ranker needs every candidate's scores from both
    /// lists, which this store fetches only as far as each list goes.</exception>
    public float[] KeywordScores(string prepared, IReadOnlyList<string> ids) => throw NoRanker();

    /// <inheritdoc />
    /// <exception cref="InvalidRequestException">Always (see <see cref="KeywordScores"/>).</exception>
    public float[] DenseScores(float[] query, IReadOnlyList<string> ids) => throw NoRanker();

    private static InvalidRequestException NoRanker() =>
        new("the PostgreSQL store does not run a learned ranker; use the embedded store for collections with one");

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
    /// <param name="cancellationToken">Cancels the queries.</param>
    public static async Task<PostgresRetrieval> FetchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string collection, int dimension,
        SimilarityMetric metric, string? prepared, float[]? queryVector, int depth, IReadOnlyList<FieldFilter> filters, PostgresStoreOptions options,
        CancellationToken cancellationToken)
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
            batch.BatchCommands.Add(options.KeywordRanking == KeywordRanking.Bm25
                ? Bm25Command(collection, prepared, depth, filters)
                : TsRankCommand(collection, prepared, depth, filters));
        }

        if (queryVector is not null)
        {
            batch.BatchCommands.Add(DenseCommand(collection, dimension, metric, queryVector, depth, filters));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // the settings
        if (prepared is not null)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetString(0);
                keyword.Add(new SearchHit(id, reader.GetFloat(1)));
                records[id] = ReadRecord(id, reader.GetString(2));
                terms[id] = reader.IsDBNull(3) ? [] : ReadTerms(reader.GetString(3));
            }

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

        // The HNSW index returns distance order only; ties (equal texts) are put in id order as the embedded store does.
        dense.Sort((a, b) => b.Score.CompareTo(a.Score) is var c and not 0 ? c : string.CompareOrdinal(a.ProductId, b.ProductId));
        return new PostgresRetrieval(metric, keyword, dense, terms, records, queryVector);
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

    // BM25 over the tsvector: tf from each lexeme's positions, df by a GIN lookup per query lexeme, N and the average
    // length from the collection's row (kept by every write). Same formula as Lucene's BM25Similarity.
    private static NpgsqlBatchCommand Bm25Command(string collection, string prepared, int depth, IReadOnlyList<FieldFilter> filters)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = prepared });
        command.Parameters.Add(new NpgsqlParameter { Value = depth });
        command.CommandText = $"""
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
                {SqlFilters.Where(filters, "r", command.Parameters)}),
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
        return command;
    }

    private static NpgsqlBatchCommand TsRankCommand(string collection, string prepared, int depth, IReadOnlyList<FieldFilter> filters)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = prepared });
        command.Parameters.Add(new NpgsqlParameter { Value = depth });
        command.CommandText = $"""
            WITH q AS (SELECT replace(plainto_tsquery('english', $1)::text, ' & ', ' | ') AS text)
            SELECT r.id, ts_rank_cd(r.tsv, q.text::tsquery)::float4 AS score, r.fields::text, NULL::text
            FROM semmatch_records r CROSS JOIN q
            WHERE q.text <> '' AND r.collection = '{collection}' AND r.tsv @@ q.text::tsquery
            {SqlFilters.Where(filters, "r", command.Parameters)}
            ORDER BY score DESC, r.id
            LIMIT $2
            """;
        return command;
    }

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
}
