using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace SemanticMatch.Collections;

/// <summary>Recovery (snapshot + log replay), applying log entries, and snapshots.</summary>
public sealed partial class EmbeddedCollection
{
    internal const string LogFile = "wal.log";
    internal const string SnapshotFile = "snapshot.jsonl";
    private const string SnapshotFormat = "semanticmatch-snapshot/1";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private void Recover()
    {
        var snapshotSequence = LoadSnapshot();
        var logPath = Path.Combine(_directory, LogFile);
        var entries = WriteAheadLog.Recover(logPath);
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
        _log = WriteAheadLog.Open(logPath, sequence, SnapshotIfLogIsLong);
    }

    private LogEntry Parse(byte[] payload) => JsonSerializer.Deserialize<LogEntry>(payload, s_json)
        ?? throw new InvalidDataException($"{Path.Combine(_directory, LogFile)}: empty log entry");

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
                _keyword.Upsert(stored.Id, _searcher.TextOf(record));
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

    // On the log's committing task, so no write is applied meanwhile; searches go on under the read lock.
    private void SnapshotIfLogIsLong(long sequence)
    {
        if (Log.Length < _options.SnapshotAfterLogBytes)
        {
            return;
        }

        WriteSnapshot(sequence);
        Log.Truncate();
    }

    private void WriteSnapshot(long sequence)
    {
        _lock.EnterReadLock();
        try
        {
            DurableFiles.Replace(Path.Combine(_directory, SnapshotFile), stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                writer.WriteLine(JsonSerializer.Serialize(new SnapshotHeader(SnapshotFormat, sequence, _records.Count), s_json));
                foreach (var stored in _records.Values)
                {
                    writer.WriteLine(JsonSerializer.Serialize(StoredRecord.Of(stored), s_json));
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
        var header = JsonSerializer.Deserialize<SnapshotHeader>(reader.ReadLine() ?? "null", s_json);
        if (header is not { Format: SnapshotFormat })
        {
            throw new InvalidDataException($"{path}: not a snapshot of format {SnapshotFormat}");
        }

        var records = new List<StoredRecord>(header.Count);
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            records.Add(JsonSerializer.Deserialize<StoredRecord>(line, s_json)!);
        }

        if (records.Count != header.Count)
        {
            throw new InvalidDataException($"{path}: holds {records.Count} records, its header says {header.Count}");
        }

        Apply(new LogEntry(records, null), commit: false);
        return header.Sequence;
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
        public static StoredRecord Of(Stored stored) =>
            new(stored.Record.Id, stored.Record.Fields, MemoryMarshal.AsBytes(stored.Vector.AsSpan()).ToArray());
    }

    private sealed record SnapshotHeader(string Format, long Sequence, int Count);
}
