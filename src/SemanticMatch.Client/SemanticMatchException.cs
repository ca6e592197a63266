using System.Net;

namespace SemanticMatch.Client;

/// <summary>
/// The service refused a request: its HTTP status, its stable <see cref="Code"/> (docs/api.md lists them; branch on it,
/// never on the wording) and, as the message, the server's reason.
/// </summary>
public sealed class SemanticMatchException : Exception
{
    /// <summary>Creates the exception for an answer the service gave.</summary>
    public SemanticMatchException(HttpStatusCode status, string code, string message) : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>An empty exception (for serializers); prefer the constructor with the answer.</summary>
    public SemanticMatchException() : this(0, "unknown", "the service refused the request")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public SemanticMatchException(string message) : this(0, "unknown", message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SemanticMatchException(string message, Exception innerException) : base(message, innerException) => Code = "unknown";

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The stable machine-readable code (<c>collection_not_found</c>, <c>over_limit</c>, <c>rate_limited</c>, ...).</summary>
    public string Code { get; }
}
