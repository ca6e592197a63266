using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SemanticMatch.Collections.Storage;

namespace SemanticMatch.Collections.Embedded;

/// <summary>Recovery (snapshot + log replay), applying log entries, and snapshots.</summary>
public sealed partial class EmbeddedCollection
{
    internal const string LogFile = "wal.log";
    internal const string SnapshotFile = "snapshot.jsonl";
    internal const string SnapshotFormat = "semanticmatch-snapshot/1";

    /// <summary>How log entries and snapshot lines are written and read.</summary>
    internal static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web);

    private void Recover()
    {
        var snapshotSequence = LoadSnapshot();
        var logPath = Path.Combine(_directory, LogFile);
        var (entries, length) = WriteAheadLog.Recover(logPath);
        var sequence = snapshotSequence;
        foreach (var (entrySequence, payload) in entries)
        {
            if (entrySequence > snapshotSequence)
            {
                Apply(Parse(payload), commit: false);
            }

            sequence = Math.Max(sequence, entrySequence);
        }

        _keyword.Commit();
        _log = WriteAheadLog.Open(_options.Files, logPath, length, sequence, SnapshotIfLogIsLong);
    }

    private LogEntry Parse(byte[] payload)
    {
        try
        {
            return JsonSerializer.Deserialize<LogEntry>(payload, FileJson) ?? throw new JsonException("a null entry");
        }
        catch (JsonException e)
        {
            // The frame's checksum held, so these bytes were written like this: not damage but a log this build cannot read.
            throw new InvalidDataException($"{Path.Combine(_directory, LogFile)}: an entry is not a log entry this build reads ({e.Message})", e);
        }
    }

    private void Apply(LogEntry entry, bool commit)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var stored in entry.Records ?? [])
            {
                var record = new Record(stored.Id, stored.Fields);
                if (_records.ContainsKey(stored.Id))
                {
                    _vectors.Remove(stored.Id);
                }

                var vector = MemoryMarshal.Cast<byte, float>(stored.Vector).ToArray();
                _vectors.Add(stored.Id, vector);
                _keyword.Upsert(stored.Id, _searcher.TextOf(record), _searcher.PublicTextOf(record));
                _records[stored.Id] = new Stored(record, vector);
            }

            foreach (var id in entry.Ids ?? [])
            {
                if (_records.Remove(id))
                {
                    _vectors.Remove(id);
                    _keyword.Remove(id);
                }
            }

            if (commit)
            {
                _keyword.Commit();
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    // On the log's committing task, so no write is applied meanwhile; searches go on under the read lock. A snapshot
    // that fails leaves the old snapshot and the whole log in place, and is tried again once the log has grown a quarter more.
    private void SnapshotIfLogIsLong(long sequence)
    {
        if (Log.Length < Math.Max(_options.SnapshotAfterLogBytes, _snapshotRetryAfterBytes))
        {
            return;
        }

        try
        {
            WriteSnapshot(sequence);
        }
        catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
        {
            _snapshotRetryAfterBytes = Log.Length + Math.Max(1, _options.SnapshotAfterLogBytes / 4);
            CollectionMetrics.RecordFailedSnapshot();
            return;
        }

        _snapshotRetryAfterBytes = 0;
        Log.Truncate();
    }

    private void WriteSnapshot(long sequence)
    {
        _lock.EnterReadLock();
        try
        {
            DurableFiles.Replace(_options.Files, Path.Combine(_directory, SnapshotFile), stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                writer.WriteLine(JsonSerializer.Serialize(new SnapshotHeader(SnapshotFormat, sequence, _records.Count), FileJson));
                foreach (var stored in _records.Values)
                {
                    writer.WriteLine(JsonSerializer.Serialize(StoredRecord.Of(stored), FileJson));
                }
            });
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private long LoadSnapshot()
    {
        var path = Path.Combine(_directory, SnapshotFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = ReadLine<SnapshotHeader>(path, reader.ReadLine() ?? "null", 1);
        if (header is not { Format: SnapshotFormat })
        {
            throw new InvalidDataException($"{path}: not a snapshot of format {SnapshotFormat}");
        }

        var records = new List<StoredRecord>(header.Count);
        var number = 1;
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            records.Add(ReadLine<StoredRecord>(path, line, ++number) is { IsWhole: true } stored
                ? stored
                : throw new InvalidDataException($"{path}: line {number} is not a stored record"));
        }

        if (records.Count != header.Count)
        {
            throw new InvalidDataException($"{path}: holds {records.Count} records, its header says {header.Count}");
        }

        Apply(new LogEntry(records, null), commit: false);
        return header.Sequence;
    }

    private static T? ReadLine<T>(string path, string line, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, FileJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: line {number} is not valid ({e.Message})", e);
        }
    }

    /// <summary>One log entry: records upserted, or ids deleted.</summary>
    internal sealed record LogEntry(List<StoredRecord>? Records, List<string>? Ids)
    {
        public static LogEntry Upsert(IEnumerable<Stored> records) => new(records.Select(StoredRecord.Of).ToList(), null);

        public static LogEntry Delete(List<string> ids) => new(null, ids);
    }

    /// <summary>A record with its vector as little-endian float32 bytes (base64 in JSON).</summary>
    internal sealed record StoredRecord(string Id, IReadOnlyDictionary<string, JsonElement> Fields, byte[] Vector)
    {
        /// <summary>Whether every part was read (a garbled line can parse as JSON and still lack them).</summary>
        public bool IsWhole => Id is not null && Fields is not null && Vector is not null;

        public static StoredRecord Of(Stored stored) =>
            new(stored.Record.Id, stored.Record.Fields, MemoryMarshal.AsBytes(stored.Vector.AsSpan()).ToArray());
    }

    /// <summary>A snapshot's first line.</summary>
    internal sealed record SnapshotHeader(string Format, long Sequence, int Count);
}
