using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SemanticMatch.Collections;
using SemanticMatch.Core;

namespace SemanticMatch.Server.Api;

/// <summary>
/// Record upserts: a JSON array (at most <see cref="RequestMapping.MaxBatch"/> records, applied as one batch), or NDJSON
/// (<c>application/x-ndjson</c>, one record a line, any number) streamed in batches of <see cref="NdjsonBatch"/> so a
/// whole catalogue loads in one request without holding it in memory.
/// </summary>
internal static class RecordUpload
{
    /// <summary>Records per batch of an NDJSON upload.</summary>
    public const int NdjsonBatch = 500;

    public static async Task<UpsertResponse> UpsertAsync(string name, HttpRequest request, ICollectionStore store, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken); // 404 before reading a large body
        if (request.ContentType?.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true)
        {
            return new UpsertResponse(await UpsertLinesAsync(name, request, store, cancellationToken));
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"the body is not valid JSON: {e.Message}");
        }

        return new UpsertResponse(await store.UpsertAsync(name, RequestMapping.ToRecords(body), cancellationToken));
    }

    private static async Task<int> UpsertLinesAsync(string name, HttpRequest request, ICollectionStore store, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null; // streamed in batches, never held whole
        }

        using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var batch = new List<Record>(NdjsonBatch);
        var upserted = 0;
        var line = 0;
        while (true)
        {
            string? text;
            try
            {
                text = await reader.ReadLineAsync(cancellationToken);
            }
            catch (DecoderFallbackException)
            {
                throw Failed($"line {line + 1}: not UTF-8", upserted);
            }

            if (text is null)
            {
                break;
            }

            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                batch.Add(Record.FromJson(document.RootElement, $"line {line}"));
            }
            catch (JsonException e)
            {
                throw Failed($"line {line}: not valid JSON ({e.Message})", upserted);
            }
            catch (InvalidRequestException e)
            {
                throw Failed(e.Message, upserted);
            }

            if (batch.Count == NdjsonBatch)
            {
                upserted += await UpsertBatchAsync(name, batch, store, upserted, cancellationToken);
            }
        }

        if (batch.Count > 0)
        {
            upserted += await UpsertBatchAsync(name, batch, store, upserted, cancellationToken);
        }

        return upserted;
    }

    private static async Task<int> UpsertBatchAsync(string name, List<Record> batch, ICollectionStore store, int before, CancellationToken cancellationToken)
    {
        try
        {
            var count = await store.UpsertAsync(name, batch, cancellationToken);
            batch.Clear();
            return count;
        }
        catch (InvalidRequestException e) when (e is not CollectionNotFoundException)
        {
            throw Failed(e.Message, before);
        }
    }

    // Earlier batches are durable; the message says how far the upload got, so the client can resume.
    private static InvalidRequestException Failed(string problem, int upserted) =>
        new($"{problem}; the {upserted} records before it were upserted, nothing after it");
}
