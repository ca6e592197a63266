using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SemanticMatch.Client;

/// <summary>
/// Typed calls to a SemanticMatch service (docs/api.md): collections, records, search, similar, match, embed, events and
/// rerank. Every call takes a <see cref="CancellationToken"/>; a refusal throws <see cref="SemanticMatchException"/>
/// with the server's code and reason. Thread-safe; create one per service and keep it.
/// </summary>
/// <remarks>
/// Written by hand over <see cref="HttpClient"/> and System.Text.Json rather than generated: records are plain
/// dictionaries of scalars, an upload can stream NDJSON from an <see cref="IAsyncEnumerable{T}"/>, and the client
/// depends on no generator runtime. tests/GeneratedClient shows a Kiota-generated client works too.
/// </remarks>
public sealed class SemanticMatchClient : IDisposable
{
    private static readonly MediaTypeHeaderValue s_ndjson = new("application/x-ndjson");
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly int _batchSize;

    /// <summary>A client with its own connection pool and retries (<see cref="SemanticMatchClientOptions.MaxRetries"/>).</summary>
    public SemanticMatchClient(SemanticMatchClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UploadBatchSize, 1);
        var connections = new SocketsHttpHandler();
        _http = new HttpClient(options.MaxRetries > 0 ? new RetryAfterHandler(options.MaxRetries, options.MaxRetryDelay, connections) : connections)
        {
            BaseAddress = options.Endpoint,
            Timeout = options.Timeout,
        };
        if (options.ApiKey is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        _ownsHttp = true;
        _batchSize = options.UploadBatchSize;
    }

    /// <summary>
    /// A client over an <see cref="HttpClient"/> you configure (e.g. from <c>IHttpClientFactory</c>): its
    /// <c>BaseAddress</c> is the service, its default headers carry the key, and its handlers decide on retries.
    /// </summary>
    public SemanticMatchClient(HttpClient http, int uploadBatchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThan(uploadBatchSize, 1);
        _http = http;
        _batchSize = uploadBatchSize;
    }

    /// <summary>Creates the collection, or confirms it exists with these settings; a different existing one is a 409 (<c>collection_exists</c>).</summary>
    public Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings? settings = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, Collection(name), settings ?? new CollectionSettings(), ClientJson.Default.CollectionSettings, ClientJson.Default.CollectionInfo,
            cancellationToken);

    /// <summary>Describes a collection; null when there is none of that name.</summary>
    public async Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        await OrNullAsync(() => SendAsync(HttpMethod.Get, Collection(name), ClientJson.Default.CollectionInfo, cancellationToken), "collection_not_found")
            .ConfigureAwait(false);

    /// <summary>Every collection.</summary>
    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, "v1/collections", ClientJson.Default.CollectionList, cancellationToken).ConfigureAwait(false)).Collections;

    /// <summary>Drops a collection and its records; false when there was none.</summary>
    public Task<bool> DeleteCollectionAsync(string name, CancellationToken cancellationToken = default) =>
        DeleteAsync(Collection(name), "collection_not_found", cancellationToken);

    /// <summary>Inserts or replaces records in batches of the configured size (each batch durable when its call returns); returns how many.</summary>
    public async Task<int> UpsertAsync(string name, IEnumerable<Record> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var total = 0;
        foreach (var batch in records.Chunk(_batchSize))
        {
            var answer = await SendAsync(HttpMethod.Post, Collection(name) + "/records", (IReadOnlyList<Record>)batch, ClientJson.Default.IReadOnlyListRecord,
                ClientJson.Default.UpsertAnswer, cancellationToken).ConfigureAwait(false);
            total += answer.Upserted;
        }

        return total;
    }

    /// <summary>
    /// Streams records as NDJSON in one request, as they come (nothing held in memory); returns how many the service
    /// stored. The body is sent once: it is not retried.
    /// </summary>
    public async Task<int> UpsertAsync(string name, IAsyncEnumerable<Record> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var request = new HttpRequestMessage(HttpMethod.Post, Collection(name) + "/records") { Content = new NdjsonContent(records) };
        request.Options.Set(RetryAfterHandler.SendOnce, true);
        return (await ReadAsync(request, ClientJson.Default.UpsertAnswer, cancellationToken).ConfigureAwait(false)).Upserted;
    }

    /// <summary>A record without its private fields; null when the collection has no record with that id.</summary>
    public async Task<Record?> GetRecordAsync(string name, string id, CancellationToken cancellationToken = default) =>
        await OrNullAsync(() => SendAsync(HttpMethod.Get, RecordPath(name, id), ClientJson.Default.Record, cancellationToken), "record_not_found")
            .ConfigureAwait(false);

    /// <summary>Deletes a record; false when there was none.</summary>
    public Task<bool> DeleteRecordAsync(string name, string id, CancellationToken cancellationToken = default) =>
        DeleteAsync(RecordPath(name, id), "record_not_found", cancellationToken);

    /// <summary>Searches a collection with every option of <see cref="SearchRequest"/>.</summary>
    public Task<SearchResult> SearchAsync(string name, SearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Collection(name) + "/search", request, ClientJson.Default.SearchRequest, ClientJson.Default.SearchResult, cancellationToken);

    /// <summary>Searches a collection for a query with the service's defaults (hybrid, top 10).</summary>
    public Task<SearchResult> SearchAsync(string name, string query, CancellationToken cancellationToken = default) =>
        SearchAsync(name, new SearchRequest(query), cancellationToken);

    /// <summary>The records nearest to a record by vector, itself excluded.</summary>
    public async Task<IReadOnlyList<Hit>> SimilarAsync(string name, string id, int top = 10, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"{RecordPath(name, id)}/similar?top={top}", ClientJson.Default.SimilarAnswer, cancellationToken).ConfigureAwait(false)).Hits;

    /// <summary>Logs what shoppers did with the hits of logged searches; returns how many events are durable.</summary>
    public async Task<int> RecordEventsAsync(string name, IReadOnlyList<SearchEvent> events, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, Collection(name) + "/events", events, ClientJson.Default.IReadOnlyListSearchEvent, ClientJson.Default.EventsAnswer,
            cancellationToken).ConfigureAwait(false)).Recorded;

    /// <summary>Scores each text against the query with a served model (a cross-encoder reads each pair); scores[i] belongs to texts[i].</summary>
    public async Task<IReadOnlyList<float>> MatchAsync(string query, IReadOnlyList<string> texts, string? model = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "v1/match", new MatchBody(query, texts, model, null), ClientJson.Default.MatchBody, ClientJson.Default.MatchAnswer,
            cancellationToken).ConfigureAwait(false)).Scores;

    /// <summary>Embeds texts with a served bi-encoder, as queries or as documents (models with prefixes embed them differently).</summary>
    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, string? model = null, bool asQueries = false,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "v1/embed", new EmbedBody(texts, model, asQueries ? "query" : "document"), ClientJson.Default.EmbedBody,
            ClientJson.Default.EmbedAnswer, cancellationToken).ConfigureAwait(false)).Vectors;

    /// <summary>Orders documents by relevance to the query (best first), at most <paramref name="top"/> of them.</summary>
    public async Task<IReadOnlyList<RerankedDocument>> RerankAsync(string query, IReadOnlyList<string> documents, string? model = null, int? top = null,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "v1/rerank", new RerankBody(query, documents, model, top), ClientJson.Default.RerankBody, ClientJson.Default.RerankAnswer,
            cancellationToken).ConfigureAwait(false)).Results.Select(r => new RerankedDocument(r.Index, r.RelevanceScore)).ToList();

    /// <summary>This service's model as a Microsoft.Extensions.AI embedding generator (for Semantic Kernel, vector stores and the rest).</summary>
    public SemanticMatchEmbeddingGenerator AsEmbeddingGenerator(string model = "minilm", bool asQueries = false) => new(this, model, asQueries);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string Collection(string name) => "v1/collections/" + Uri.EscapeDataString(name);

    private static string RecordPath(string name, string id) => Collection(name) + "/records/" + Uri.EscapeDataString(id);

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> call, string missingCode)
        where T : class
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SemanticMatchException refused) when (IsMissing(refused, missingCode))
        {
            return null;
        }
    }

    private static bool IsMissing(SemanticMatchException refused, string missingCode) => refused.Status == HttpStatusCode.NotFound && refused.Code == missingCode;

    // True when deleted, false when there was nothing of that name (the answer's code says which).
    private async Task<bool> DeleteAsync(string path, string missingCode, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, path);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await ThrowIfRefusedAsync(response, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SemanticMatchException refused) when (IsMissing(refused, missingCode))
        {
            return false;
        }
    }

    private Task<TAnswer> SendAsync<TBody, TAnswer>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TAnswer> answerType,
        CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, bodyType) };
        return ReadAsync(request, answerType, cancellationToken);
    }

    private Task<TAnswer> SendAsync<TAnswer>(HttpMethod method, string path, JsonTypeInfo<TAnswer> answerType, CancellationToken cancellationToken) =>
        ReadAsync(new HttpRequestMessage(method, path), answerType, cancellationToken);

    // Sends the request (and disposes it) and reads the answer's JSON.
    private async Task<TAnswer> ReadAsync<TAnswer>(HttpRequestMessage request, JsonTypeInfo<TAnswer> answerType, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await ThrowIfRefusedAsync(response, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(answerType, cancellationToken).ConfigureAwait(false)
                ?? throw new SemanticMatchException(response.StatusCode, "empty_answer", $"{request.Method} {request.RequestUri}: the answer was empty");
        }
    }

    // Problem details ({"detail", "code"}), Cohere's ({"message", "code"}) or OpenAI's ({"error": {"message", "code"}}).
    private static async Task ThrowIfRefusedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var (code, message) = ("http_" + (int)response.StatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}");
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var error = root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
            code = Text(error, "code") ?? code;
            message = Text(error, "detail") ?? Text(error, "message") ?? Text(error, "title") ?? message;
        }
        catch (JsonException)
        {
            message = text.Length > 0 ? text : message;
        }

        throw new SemanticMatchException(response.StatusCode, code, message);
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Records written one JSON object a line as the enumeration yields them.</summary>
    private sealed class NdjsonContent : HttpContent
    {
        private readonly IAsyncEnumerable<Record> _records;

        public NdjsonContent(IAsyncEnumerable<Record> records)
        {
            _records = records;
            Headers.ContentType = s_ndjson;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await WriteAsync(stream, CancellationToken.None).ConfigureAwait(false);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            WriteAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
        {
            var newline = "\n"u8.ToArray();
            await foreach (var record in _records.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, record, ClientJson.Default.Record, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(newline, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
