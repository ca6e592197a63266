using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
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
/// through <see cref="BulkLoader"/> in batches of <see cref="NdjsonBatch"/> (or 8 MB) so a whole catalogue loads in one request without holding it in memory. An
/// NDJSON upload is a stream of upserts: a repeated id replaces the earlier line; a JSON array is one batch, in which
/// a repeated id is refused.
/// </summary>
internal static class RecordUpload
{
    /// <summary>Records per batch of an NDJSON upload.</summary>
    public const int NdjsonBatch = BulkLoader.DefaultBatch;

    /// <summary>Longest NDJSON line (one record) accepted, in bytes.</summary>
    public const int MaxLineBytes = 1 << 20;

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

        var upserted = new Upserted();
        try
        {
            return await BulkLoader.LoadAsync(store, name, ReadLinesAsync(request.BodyReader, cancellationToken), NdjsonBatch, upserted, cancellationToken);
        }
        catch (InvalidRequestException e) when (e is not CollectionNotFoundException)
        {
            throw Failed(e.Message, upserted.Count, e is RequestLimitException);
        }
    }

    // The records of an NDJSON body, line by line; the pipe is read only as the loader asks for records.
    private static async IAsyncEnumerable<Record> ReadLinesAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var line = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            try
            {
                // Each record is handed on as soon as its line is read, so a bad line comes after every batch before it.
                while (TryTakeLine(ref buffer, out var text))
                {
                    line++;
                    if (Parse(text, line) is { } record)
                    {
                        yield return record;
                    }
                }

                if (buffer.Length > MaxLineBytes)
                {
                    throw new RequestLimitException($"line {line + 1}: longer than {MaxLineBytes} bytes (one record a line)");
                }

                if (read.IsCompleted && buffer.Length > 0)
                {
                    line++;
                    var last = Parse(buffer, line); // a last line without a newline
                    buffer = buffer.Slice(buffer.End);
                    if (last is not null)
                    {
                        yield return last;
                    }
                }
            }
            finally
            {
                // Always handed back, also when a line is refused: the error answer is written after this.
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (read.IsCompleted)
            {
                yield break;
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

    // One line's record, or null for a blank line (a later line with the same id replaces it: BulkLoader keeps the last).
    private static Record? Parse(ReadOnlySequence<byte> text, int line)
    {
        var bytes = text.ToArray();
        var length = bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes.Length - 1 : bytes.Length;
        var span = bytes.AsSpan(0, length);
        if (!Utf8.IsValid(span))
        {
            throw new InvalidRequestException($"line {line}: not UTF-8");
        }

        if (span.Trim(" \t"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, length));
            return Record.FromJson(document.RootElement, $"line {line}");
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"line {line}: not valid JSON ({e.Message})");
        }
    }

    /// <summary>How many records the loader has made durable so far (reported synchronously after each batch).</summary>
    private sealed class Upserted : IProgress<int>
    {
        public int Count { get; private set; }

        public void Report(int value) => Count = value;
    }

    // Earlier batches are durable; the message says how far the upload got, so the client can resume.
    private static InvalidRequestException Failed(string problem, int upserted, bool isLimit = false)
    {
        var message = $"{problem}; the {upserted} records before it were upserted, nothing after it";
        return isLimit ? new RequestLimitException(message) : new InvalidRequestException(message);
    }
}
