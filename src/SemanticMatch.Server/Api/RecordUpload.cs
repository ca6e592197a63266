using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SemanticMatch.Collections;
using SemanticMatch.Core;

namespace SemanticMatch.Server.Api;

/// <summary>
/// Record upserts: a JSON array (at most <see cref="RequestMapping.MaxBatch"/> records, applied as one batch), or NDJSON
/// (<c>application/x-ndjson</c>, one record a line of at most <see cref="MaxLineBytes"/>, any number of lines) streamed
/// in batches of <see cref="NdjsonBatch"/> so a whole catalogue loads in one request without holding it in memory. An
/// NDJSON upload is a stream of upserts: a repeated id replaces the earlier line; a JSON array is one batch, in which
/// a repeated id is refused.
/// </summary>
internal static class RecordUpload
{
    /// <summary>Records per batch of an NDJSON upload.</summary>
    public const int NdjsonBatch = 500;

    /// <summary>Longest NDJSON line (one record) accepted, in bytes.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Bytes of NDJSON lines gathered into one batch at most (so a batch of long lines stays bounded too).</summary>
    public const long MaxBatchBytes = 8L << 20;

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
            limit.MaxRequestBodySize = null; // streamed in batches, never held whole: each line and batch is bounded instead
        }

        var reader = request.BodyReader;
        var batch = new List<Record>(NdjsonBatch);
        var batchBytes = 0L;
        var upserted = 0;
        var line = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var full = false;
            var end = false;
            try
            {
                while (!(full = batch.Count >= NdjsonBatch || batchBytes >= MaxBatchBytes) && TryTakeLine(ref buffer, out var text))
                {
                    line++;
                    batchBytes += text.Length;
                    Add(batch, text, line, upserted);
                }

                if (!full && buffer.Length > MaxLineBytes)
                {
                    throw Failed($"line {line + 1}: longer than {MaxLineBytes} bytes (one record a line)", upserted, isLimit: true);
                }

                end = read.IsCompleted && !full;
                if (end && buffer.Length > 0)
                {
                    line++;
                    Add(batch, buffer, line, upserted); // a last line without a newline
                    buffer = buffer.Slice(buffer.End);
                }
            }
            finally
            {
                // Always handed back, also when a line is refused: the error answer is written after this.
                reader.AdvanceTo(buffer.Start, full ? buffer.Start : buffer.End);
            }

            if (full || (end && batch.Count > 0))
            {
                upserted += await UpsertBatchAsync(name, batch, store, upserted, cancellationToken);
                batchBytes = 0;
            }

            if (end)
            {
                return upserted;
            }
        }
    }

    // One line: its bytes up to the newline (without it), the buffer moved past it; false without a whole line.
    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is not { } newline)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline);
        buffer = buffer.Slice(buffer.GetPosition(1, newline));
        return true;
    }

    // A later line with the same id replaces the earlier one, in a batch as across batches (a stream of upserts).
    private static void Add(List<Record> batch, ReadOnlySequence<byte> text, int line, int upserted)
    {
        var bytes = text.ToArray();
        var length = bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes.Length - 1 : bytes.Length;
        var span = bytes.AsSpan(0, length);
        if (!Utf8.IsValid(span))
        {
            throw Failed($"line {line}: not UTF-8", upserted);
        }

        if (span.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        Record record;
        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, length));
            record = Record.FromJson(document.RootElement, $"line {line}");
        }
        catch (JsonException e)
        {
            throw Failed($"line {line}: not valid JSON ({e.Message})", upserted);
        }
        catch (InvalidRequestException e)
        {
            throw Failed(e.Message, upserted);
        }

        batch.RemoveAll(r => r.Id == record.Id);
        batch.Add(record);
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
    private static InvalidRequestException Failed(string problem, int upserted, bool isLimit = false)
    {
        var message = $"{problem}; the {upserted} records before it were upserted, nothing after it";
        return isLimit ? new RequestLimitException(message) : new InvalidRequestException(message);
    }
}
