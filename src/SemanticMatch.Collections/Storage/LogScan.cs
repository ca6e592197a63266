namespace SemanticMatch.Collections.Storage;

/// <summary>
/// What a write-ahead log holds: its intact frames in order, and where it is damaged. Damage is told apart from a torn
/// tail by what follows it: after a torn tail (the last group commit, cut short or never flushed) no intact frame
/// follows; after damage in the middle (a flipped byte, a lost sector) intact, acknowledged frames do.
/// </summary>
internal sealed class LogScan
{
    private LogScan(string path, long length, List<LogFrames.Frame> frames, List<(long Offset, long Length)> damage, long intactLength)
    {
        Path = path;
        FileLength = length;
        Frames = frames;
        Damage = damage;
        IntactLength = intactLength;
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Its length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Every intact frame, in file order (also those after damage).</summary>
    public IReadOnlyList<LogFrames.Frame> Frames { get; }

    /// <summary>Unreadable byte ranges followed by intact frames (empty for a healthy log or a torn tail).</summary>
    public IReadOnlyList<(long Offset, long Length)> Damage { get; }

    /// <summary>Bytes up to the end of the last intact frame before any damage: where a torn tail is cut.</summary>
    public long IntactLength { get; }

    /// <summary>Frames after the first damaged range.</summary>
    public IEnumerable<LogFrames.Frame> AfterDamage => Damage.Count == 0 ? [] : Frames.Where(f => f.Offset > Damage[0].Offset);

    /// <summary>Reads the log at <paramref name="path"/> (none: empty).</summary>
    public static LogScan Read(string path)
    {
        var log = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var frames = new List<LogFrames.Frame>();
        var damage = new List<(long, long)>();
        long offset = 0;
        long last = 0;
        long? intact = null;
        while (offset < log.Length)
        {
            if (LogFrames.TryRead(log, offset, last, long.MaxValue, out var frame))
            {
                frames.Add(frame);
                last = frame.Sequence;
                offset += frame.Length;
                continue;
            }

            // A frame that does not read: look for an intact frame further on. Sequence numbers only grow, by at most
            // one a frame, so a candidate's sequence is bounded by how many frames could fit; few offsets pass that and
            // the length check, fewer the checksum.
            intact ??= offset;
            var bound = last + 1 + ((log.Length - offset) / LogFrames.HeaderBytes);
            var next = -1L;
            for (var candidate = offset + 1; candidate + LogFrames.HeaderBytes <= log.Length; candidate++)
            {
                if (LogFrames.TryRead(log, candidate, last, bound, out _))
                {
                    next = candidate;
                    break;
                }
            }

            if (next < 0)
            {
                break; // nothing intact follows: a torn tail
            }

            damage.Add((offset, next - offset));
            offset = next;
        }

        return new LogScan(path, log.Length, frames, damage, intact ?? offset);
    }
}
