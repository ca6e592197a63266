namespace SemanticMatch.Core;

/// <summary>
/// The caller asked for something that cannot be done as asked: a malformed input file, an option out of range, an index
/// searched with another model. The message names what is wrong and where, so the caller can fix it; it is not a bug.
/// </summary>
/// <remarks>
/// Hosts show the message alone (the CLI exits with code 2, a server answers 4xx). Any other exception is a bug of ours:
/// hosts log its stack trace and ask for a report.
/// </remarks>
public class InvalidRequestException : Exception
{
    /// <summary>Creates the error.</summary>
    public InvalidRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the exception that revealed it.</summary>
    public InvalidRequestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
