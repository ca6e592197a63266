using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using nietras.SeparatedValues;

namespace SemanticMatch.Core.Catalogue;

/// <summary>
/// One record of a CSV or JSON Lines file: its first line and its values by lower-case column name,
/// or a structural <paramref name="Error"/> (wrong column count, invalid JSON, missing property) in the named field.
/// </summary>
internal sealed record RawRow(int Line, IReadOnlyDictionary<string, string> Values, string? Error = null, string? ErrorField = null)
{
    private static readonly Dictionary<string, string> s_none = [];

    public static RawRow Broken(int line, string error, string? field = null) => new(line, s_none, error, field);
}

/// <summary>The rows of a file and what its reader noticed without rejecting any row (such as bytes that are not UTF-8).</summary>
internal sealed record TabularFile(IReadOnlyList<string> Warnings, IEnumerable<RawRow> Rows);

/// <summary>
/// Reads CSV (RFC 4180: quoted fields may hold commas, quotes and newlines) and JSON Lines into <see cref="RawRow"/>s,
/// choosing the format by extension (.jsonl / .ndjson, else CSV). Column names are matched case-insensitively.
/// </summary>
internal static class TabularReader
{
    private static readonly char[] s_otherSeparators = [';', '\t', '|'];

    public static bool IsJsonLines(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".jsonl" or ".ndjson";
    }

    /// <summary>
    /// Reads every row; the required columns must exist (in the CSV header, or in every JSON object). The file must be
    /// UTF-8 (a byte-order mark is allowed); bytes that are not UTF-8 become U+FFFD and are reported in the warnings.
    /// </summary>
    public static TabularFile Read(string path, IReadOnlyList<string> requiredColumns)
    {
        if (!File.Exists(path))
        {
            throw new InputFormatException(path, null, null, "file not found");
        }

        var (text, warnings) = Decode(path);
        return new TabularFile(warnings, IsJsonLines(path) ? ReadJsonLines(text, requiredColumns) : ReadCsv(path, text, requiredColumns));
    }

    /// <summary>
    /// The lower-case column names of a file: its CSV header, or the properties of its first JSON object (empty when the
    /// file is empty or its first object cannot be parsed; reading the rows reports why).
    /// </summary>
    public static IReadOnlySet<string> Columns(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputFormatException(path, null, null, "file not found");
        }

        var (text, _) = Decode(path);
        if (IsJsonLines(path))
        {
            var first = text.Split('\n').FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
            return first is null ? new HashSet<string>() : (ParseObject(first, out _)?.Keys.ToHashSet() ?? []);
        }

        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromText(text);
        return reader.Header.ColNames.Select(n => n.Trim().ToLowerInvariant()).ToHashSet();
    }

    private static (string Text, IReadOnlyList<string> Warnings) Decode(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFormatException(path, null, null, "cannot read: " + e.Message);
        }

        if (bytes.Length >= 2 && (bytes[0], bytes[1]) is (0xFF, 0xFE) or (0xFE, 0xFF) || LooksLikeUtf16(bytes))
        {
            throw new InputFormatException(path, null, null, "looks like UTF-16; save it as UTF-8");
        }

        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var text = Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        if (Utf8.IsValid(bytes.AsSpan(start)))
        {
            return (text, []);
        }

        var lines = text.Split('\n').Select((line, i) => (line, i + 1)).Where(x => x.line.Contains('\uFFFD', StringComparison.Ordinal)).Select(x => x.Item2).ToList();
        return (text, [$"{path}: {lines.Count} line(s) hold bytes that are not UTF-8 (first on line {lines[0]}), read as '\uFFFD'; " +
            "if the file is Latin-1 or Windows-1252, convert it (iconv -f latin1 -t utf-8)"]);
    }

    // Text in UTF-16 without a byte-order mark: ASCII characters leave every other byte zero.
    private static bool LooksLikeUtf16(byte[] bytes)
    {
        var sample = bytes.AsSpan(0, Math.Min(bytes.Length, 512));
        return sample.Length >= 4 && sample.Count((byte)0) * 3 >= sample.Length;
    }

    private static IEnumerable<RawRow> ReadCsv(string path, string text, IReadOnlyList<string> requiredColumns)
    {
        if (UnclosedQuoteLine(text) is { } quoteLine)
        {
            throw new InputFormatException(path, quoteLine, null, "a quote '\"' opened here is never closed: the rest of the file would be one field");
        }

        return ReadCsvRows(path, text, requiredColumns);
    }

    private static IEnumerable<RawRow> ReadCsvRows(string path, string text, IReadOnlyList<string> requiredColumns)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromText(text);
        var names = reader.Header.ColNames.Select(n => n.Trim().ToLowerInvariant()).ToArray();
        if (names.Length == 0 || (names.Length == 1 && names[0].Length == 0))
        {
            throw new InputFormatException(path, 1, null, "empty file: expected a header row with columns " + string.Join(",", requiredColumns));
        }

        foreach (var required in requiredColumns)
        {
            if (!names.Contains(required))
            {
                throw new InputFormatException(path, 1, required, $"missing column (header has: {string.Join(",", names)}){SeparatorHint(names)}");
            }
        }

        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.IsWhiteSpace())
            {
                continue; // A blank line holds no record.
            }

            if (row.ColCount != names.Length)
            {
                yield return RawRow.Broken(line, $"expected {names.Length} columns ({string.Join(",", names)}), found {row.ColCount}");
                continue;
            }

            var values = new Dictionary<string, string>(names.Length);
            for (var i = 0; i < names.Length; i++)
            {
                values[names[i]] = row[i].ToString();
            }

            yield return new RawRow(line, values);
        }
    }

    private static string SeparatorHint(string[] names)
    {
        if (names.Length != 1)
        {
            return string.Empty;
        }

        var separator = s_otherSeparators.FirstOrDefault(c => names[0].Contains(c, StringComparison.Ordinal));
        return separator == default ? string.Empty : $"; it looks {(separator == '\t' ? "tab" : $"'{separator}'")}-separated: use commas";
    }

    // Quotes toggle quoting wherever they appear (as Sep reads them); one left open at the end swallows the rest of the file.
    private static int? UnclosedQuoteLine(string text)
    {
        int line = 1, openedOn = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                openedOn = quoted ? line : openedOn;
            }
            else if (c == '\n')
            {
                line++;
            }
        }

        return quoted ? openedOn : null;
    }

    private static IEnumerable<RawRow> ReadJsonLines(string content, IReadOnlyList<string> requiredColumns)
    {
        var line = 0;
        foreach (var text in content.Split('\n'))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var values = ParseObject(text, out var error);
            if (values is null)
            {
                yield return RawRow.Broken(line, error!);
                continue;
            }

            var missing = requiredColumns.FirstOrDefault(c => !values.ContainsKey(c));
            yield return missing is null ? new RawRow(line, values) : RawRow.Broken(line, "missing property", missing);
        }
    }

    private static Dictionary<string, string>? ParseObject(string text, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "expected a JSON object";
                return null;
            }

            var values = new Dictionary<string, string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                values[property.Name.ToLowerInvariant()] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => property.Value.GetRawText(),
                };
            }

            return values;
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return null;
        }
    }
}
