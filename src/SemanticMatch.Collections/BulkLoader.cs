using System.Text.Json;

namespace SemanticMatch.Collections;

/// <summary>
/// Loads a stream of records into a collection in batches, each one durable upsert, without holding the stream in
/// memory: the CLI's bulk load, the service's ready-made collections and its NDJSON upload all load through it.
/// </summary>
public static class BulkLoader
{
    /// <summary>Records in one batch unless <see cref="MaxBatchBytes"/> is reached first.</summary>
    public const int DefaultBatch = 500;

    /// <summary>A batch is cut once its records' text reaches this many characters (about that many bytes of JSON).</summary>
    public const long MaxBatchBytes = 8L << 20;

    /// <summary>Upserts <paramref name="records"/> batch by batch; a later record with an id seen in the same batch replaces the earlier one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The collection (it must exist).</param>
    /// <param name="records">The records, read as they are needed.</param>
    /// <param name="batchSize">Most records in one batch.</param>
    /// <param name="progress">Receives the count of records upserted so far after each batch (durable by then).</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>How many records were upserted.</returns>
    /// <remarks>On a failure the batches before it stay upserted (progress said how many); nothing of the failing batch or after it is.</remarks>
    public static async Task<int> LoadAsync(ICollectionStore store, string name, IAsyncEnumerable<Record> records, int batchSize = DefaultBatch,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var batch = new Dictionary<string, Record>(StringComparer.Ordinal);
        var batchBytes = 0L;
        var upserted = 0;
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch[record.Id] = record; // a stream of upserts: the later one wins
            batchBytes += SizeOf(record);
            if (batch.Count >= batchSize || batchBytes >= MaxBatchBytes)
            {
                upserted += await UpsertAsync(store, name, batch, cancellationToken).ConfigureAwait(false);
                batchBytes = 0;
                progress?.Report(upserted);
            }
        }

        if (batch.Count > 0)
        {
            upserted += await UpsertAsync(store, name, batch, cancellationToken).ConfigureAwait(false);
            progress?.Report(upserted);
        }

        return upserted;
    }

    /// <summary>Upserts records held in memory batch by batch (see the streaming overload).</summary>
    public static Task<int> LoadAsync(ICollectionStore store, string name, IEnumerable<Record> records, int batchSize = DefaultBatch,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        LoadAsync(store, name, records.ToAsyncEnumerable(), batchSize, progress, cancellationToken);

    private static async Task<int> UpsertAsync(ICollectionStore store, string name, Dictionary<string, Record> batch, CancellationToken cancellationToken)
    {
        var count = await store.UpsertAsync(name, batch.Values.ToList(), cancellationToken).ConfigureAwait(false);
        batch.Clear();
        return count;
    }

    private static long SizeOf(Record record) =>
        record.Id.Length + record.Fields.Sum(f => f.Key.Length + (f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()!.Length : 8));
}
