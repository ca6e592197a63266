using System.Buffers.Binary;
using System.IO.Hashing;

namespace SemanticMatch.Collections.Storage;

/// <summary>
/// The write-ahead log's frames: [length u32][CRC-32 u32][sequence i64][payload], the CRC over sequence and payload.
/// A group commit is one frame whose length has <see cref="BatchFlag"/> set and whose payload is
/// [count u32] then count × [length u32][entry] — so a batch reaches the disk whole or is one torn frame. Frames
/// without the flag (older logs) hold one entry.
/// </summary>
internal static class LogFrames
{
    public const int HeaderBytes = 16;
    public const int MaxPayloadBytes = 256 << 20;
    private const uint BatchFlag = 0x8000_0000;

    /// <summary>One frame holding <paramref name="entries"/> under <paramref name="sequence"/>.</summary>
    public static byte[] Batch(long sequence, IReadOnlyList<byte[]> entries)
    {
        var payloadLength = 4 + entries.Sum(e => 4 + e.Length);
        var frame = new byte[HeaderBytes + payloadLength];
        var payload = frame.AsSpan(HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)entries.Count);
        var at = 4;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(payload[at..], (uint)entry.Length);
            entry.CopyTo(payload[(at + 4)..]);
            at += 4 + entry.Length;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payloadLength | BatchFlag);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Checksum(frame.AsSpan(8, 8), payload));
        return frame;
    }

    /// <summary>
    /// Reads the frame at <paramref name="offset"/>: its sequence, entries and length; false when it is cut short, fails
    /// its checksum, or its sequence is not in (<paramref name="after"/>, <paramref name="before"/>].
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> log, long offset, long after, long before, out Frame frame)
    {
        frame = default;
        if (offset + HeaderBytes > log.Length)
        {
            return false;
        }

        var header = log.Slice((int)offset, HeaderBytes);
        var word = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var batch = (word & BatchFlag) != 0;
        var length = word & ~BatchFlag;
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (length > MaxPayloadBytes || offset + HeaderBytes + length > log.Length || sequence <= after || sequence > before)
        {
            return false;
        }

        var payload = log.Slice((int)offset + HeaderBytes, (int)length);
        if (Checksum(header.Slice(8, 8), payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
        {
            return false;
        }

        var entries = batch ? Split(payload) : [payload.ToArray()];
        if (entries is null)
        {
            return false;
        }

        frame = new Frame(offset, sequence, entries, HeaderBytes + length);
        return true;
    }

    private static List<byte[]>? Split(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var entries = new List<byte[]>();
        var at = 4;
        for (var i = 0; i < count; i++)
        {
            if (at + 4 > payload.Length)
            {
                return null;
            }

            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[at..]);
            if (length < 0 || at + 4 + length > payload.Length)
            {
                return null;
            }

            entries.Add(payload.Slice(at + 4, length).ToArray());
            at += 4 + length;
        }

        return at == payload.Length ? entries : null;
    }

    private static uint Checksum(ReadOnlySpan<byte> sequence, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(sequence);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>One intact frame.</summary>
    public readonly record struct Frame(long Offset, long Sequence, IReadOnlyList<byte[]> Entries, long Length);
}
