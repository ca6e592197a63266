namespace SemanticMatch.Core.Catalogue;

/// <summary>
/// A user's input file is malformed. The message names the file, the line (1-based, the header is line 1 in CSV)
/// and the field, so the user can fix it without reading a stack trace.
/// </summary>
public sealed class InputFormatException : InvalidRequestException
{
    /// <summary>Creates the error.</summary>
    public InputFormatException(string file, int? line, string? field, string problem)
        : base(Format(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>Path of the file as the user gave it.</summary>
    public string File { get; }

    /// <summary>1-based line, or null when the problem concerns the whole file.</summary>
    public int? Line { get; }

    /// <summary>Column or JSON property at fault, or null.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without location.</summary>
    public string Problem { get; }

    private static string Format(string file, int? line, string? field, string problem)
    {
        var where = line is null ? file : $"{file}:{line}";
        return field is null ? $"{where}: {problem}" : $"{where}: field '{field}': {problem}";
    }
}
