using System.Text.Json;
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

/// <summary>
/// Reads CSV (RFC 4180: quoted fields may hold commas, quotes and newlines) and JSON Lines into <see cref="RawRow"/>s,
/// choosing the format by extension (.jsonl / .ndjson, else CSV). Column names are matched case-insensitively.
/// </summary>
internal static class TabularReader
{
    public static bool IsJsonLines(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".jsonl" or ".ndjson";
    }

    /// <summary>Reads every row; the required columns must exist (in the CSV header, or in every JSON object).</summary>
    public static IEnumerable<RawRow> Read(string path, IReadOnlyList<string> requiredColumns)
    {
        if (!File.Exists(path))
        {
            throw new InputFormatException(path, null, null, "file not found");
        }

        return IsJsonLines(path) ? ReadJsonLines(path, requiredColumns) : ReadCsv(path, requiredColumns);
    }

    private static IEnumerable<RawRow> ReadCsv(string path, IReadOnlyList<string> requiredColumns)
    {
        using var reader = OpenCsv(path);
        var names = reader.Header.ColNames.Select(n => n.Trim().ToLowerInvariant()).ToArray();
        if (names.Length == 0 || (names.Length == 1 && names[0].Length == 0))
        {
            throw new InputFormatException(path, 1, null, "empty file: expected a header row with columns " + string.Join(",", requiredColumns));
        }

        foreach (var required in requiredColumns)
        {
            if (!names.Contains(required))
            {
                throw new InputFormatException(path, 1, required,
                    $"missing column (header has: {string.Join(",", names)})");
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

    private static SepReader OpenCsv(string path)
    {
        try
        {
            return Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InputFormatException(path, null, null, "cannot read: " + e.Message);
        }
    }

    private static IEnumerable<RawRow> ReadJsonLines(string path, IReadOnlyList<string> requiredColumns)
    {
        var line = 0;
        foreach (var text in File.ReadLines(path))
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
