using System.Globalization;
using System.Text;
using System.Text.Json;
using SemanticMatch.Collections.Storage;

namespace SemanticMatch.Collections.Embedded;

/// <summary>What <see cref="CollectionRecovery.Salvage"/> did to one file.</summary>
/// <param name="File">The file.</param>
/// <param name="Copy">Where the damaged original was kept.</param>
/// <param name="Kept">Entries (log) or records (snapshot) kept.</param>
/// <param name="Lost">What could not be read, in words.</param>
public sealed record SalvagedFile(string File, string Copy, int Kept, string Lost);

/// <summary>
/// Salvages an embedded collection that does not open because a file is damaged, on purpose and with a record of what
/// was lost: every damaged file is copied aside first (<c>NAME.damaged-TIMESTAMP</c>), then rewritten with what still
/// reads — the log's intact group commits before and after the damage, the snapshot's readable records.
/// </summary>
/// <remarks>
/// Takes the data directory's lock, so it never runs beside a server on the same data. A missing or garbled
/// collection.json cannot be salvaged (the settings are not in any other file): it is reported, and nothing is changed.
/// </remarks>
public static class CollectionRecovery
{
    /// <summary>Salvages collection <paramref name="name"/> of <paramref name="dataDirectory"/>; returns what it rewrote (empty: nothing was damaged).</summary>
    /// <exception cref="Core.InvalidRequestException">No such collection folder, its settings are unreadable, or the data directory is in use.</exception>
    public static IReadOnlyList<SalvagedFile> Salvage(string dataDirectory, string name)
    {
        CollectionSettings.CheckName(name);
        var folder = Path.Combine(dataDirectory, "collections", name);
        if (!Directory.Exists(folder))
        {
            throw new Core.InvalidRequestException($"collection '{name}' is not in {dataDirectory} ({folder} does not exist)");
        }

        using var _ = EmbeddedCollectionStore.Lock(dataDirectory);
        var settings = Path.Combine(folder, "collection.json");
        try
        {
            CollectionSettings.FromJson(File.ReadAllText(settings));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new Core.InvalidRequestException(
                $"{settings} cannot be read ({e.Message}): write the collection's settings there again (as 'PUT /v1/collections/{name}' gave them), then run recover again");
        }

        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var salvaged = new List<SalvagedFile>();
        if (SalvageSnapshot(Path.Combine(folder, EmbeddedCollection.SnapshotFile), stamp) is { } snapshot)
        {
            salvaged.Add(snapshot);
        }

        if (SalvageLog(Path.Combine(folder, EmbeddedCollection.LogFile), stamp) is { } log)
        {
            salvaged.Add(log);
        }

        return salvaged;
    }

    private static SalvagedFile? SalvageLog(string path, string stamp)
    {
        var scan = LogScan.Read(path);
        if (scan.Damage.Count == 0)
        {
            return null;
        }

        var copy = KeepCopy(path, stamp);
        DurableFiles.Replace(LocalFiles.Instance, path, stream =>
        {
            foreach (var frame in scan.Frames)
            {
                stream.Write(LogFrames.Batch(frame.Sequence, frame.Entries));
            }
        });

        // Sequence numbers grow by one a group commit (refused ones spend one too), so a gap is an upper bound on what was lost.
        var lost = new List<string>();
        foreach (var (offset, length) in scan.Damage)
        {
            var before = scan.Frames.LastOrDefault(f => f.Offset < offset).Sequence;
            var after = scan.Frames.First(f => f.Offset > offset).Sequence;
            lost.Add($"{length} bytes at {offset} (at most {after - before - 1} group commits, sequences {before + 1}..{after - 1})");
        }

        return new SalvagedFile(path, copy, scan.Frames.Sum(f => f.Entries.Count), string.Join("; ", lost));
    }

    private static SalvagedFile? SalvageSnapshot(string path, string stamp)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path, Encoding.UTF8);
        var header = Read<EmbeddedCollection.SnapshotHeader>(lines.FirstOrDefault() ?? string.Empty);

        // An unreadable header: the records' sequence is unknown, so every log entry is replayed over them.
        var sequence = header is { Format: EmbeddedCollection.SnapshotFormat } ? header.Sequence : 0;
        var headerOk = header is { Format: EmbeddedCollection.SnapshotFormat } && header.Count == lines.Skip(1).Count(l => l.Length > 0);
        var kept = new List<string>();
        var unreadable = 0;
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (Read<EmbeddedCollection.StoredRecord>(line) is { IsWhole: true })
            {
                kept.Add(line);
            }
            else
            {
                unreadable++;
            }
        }

        if (headerOk && unreadable == 0)
        {
            return null;
        }

        var copy = KeepCopy(path, stamp);
        DurableFiles.Replace(LocalFiles.Instance, path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.WriteLine(JsonSerializer.Serialize(new EmbeddedCollection.SnapshotHeader(EmbeddedCollection.SnapshotFormat, sequence, kept.Count),
                EmbeddedCollection.FileJson));
            foreach (var line in kept)
            {
                writer.WriteLine(line);
            }
        });
        return new SalvagedFile(path, copy, kept.Count, headerOk ? $"{unreadable} unreadable records" : $"the header and {unreadable} unreadable records");
    }

    private static T? Read<T>(string line)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, EmbeddedCollection.FileJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string KeepCopy(string path, string stamp)
    {
        var copy = $"{path}.damaged-{stamp}";
        File.Copy(path, copy, overwrite: false);
        return copy;
    }
}
