namespace SemanticMatch.Collections.Feedback;

/// <summary>One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, or starts or ends with a space (readers trim those).</summary>
internal static class CsvField
{
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 || value.StartsWith(' ') || value.EndsWith(' ')
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
