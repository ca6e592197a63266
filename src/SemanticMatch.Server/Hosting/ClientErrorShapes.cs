using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace SemanticMatch.Server.Hosting;

/// <summary>Which ecosystem's error body a route answers with (endpoint metadata); routes without it answer ProblemDetails.</summary>
internal enum ErrorShape
{
    /// <summary>OpenAI's <c>{"error": {"message", "type", "param", "code"}}</c>: openai-node, OpenAI .NET and the frameworks over them show <c>message</c>.</summary>
    OpenAi,

    /// <summary>Cohere's (and Jina's) <c>{"message": ...}</c>, plus our <c>code</c>: Cohere's clients show <c>message</c>.</summary>
    Cohere,

    /// <summary>text-embeddings-inference's <c>{"error": ..., "error_type": ...}</c>.</summary>
    Tei,
}

/// <summary>
/// Writes an error for a route marked with an <see cref="ErrorShape"/> in that ecosystem's shape, so its clients
/// surface the reason instead of "400 status code (no body)"; every other error stays ProblemDetails. Registered before
/// the default ProblemDetails writer, so every error path (exceptions, auth, rate limits, the admission gate) goes
/// through it.
/// </summary>
internal sealed class ClientErrorShapes : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => ShapeOf(context.HttpContext) is not null;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        var message = problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status);
        var code = problem.Extensions.TryGetValue("code", out var given) && given is string known ? known : ErrorCodes.For(context.Exception, status);
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        switch (ShapeOf(http))
        {
            case ErrorShape.OpenAi:
                json.WriteStartObject("error");
                json.WriteString("message", message);
                json.WriteString("type", OpenAiType(status));
                if (Param(message) is { } param)
                {
                    json.WriteString("param", param);
                }
                else
                {
                    json.WriteNull("param");
                }

                json.WriteString("code", code);
                json.WriteEndObject();
                break;
            case ErrorShape.Tei:
                json.WriteString("error", message);
                json.WriteString("error_type", status switch
                {
                    StatusCodes.Status413PayloadTooLarge or StatusCodes.Status422UnprocessableEntity => "Validation",
                    StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => "Overloaded",
                    StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "Unauthorized",
                    >= 500 => "Backend",
                    _ => "Validation",
                });
                json.WriteString("code", code);
                break;
            default:
                json.WriteString("message", message);
                json.WriteString("code", code);
                break;
        }

        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }

    private static ErrorShape? ShapeOf(HttpContext context) =>
        (context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<ErrorShapeMetadata>()?.Shape;

    private static string OpenAiType(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    // Our messages name what is wrong first ("input: ...", "documents[3]: ..."): that name is OpenAI's "param".
    private static string? Param(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && message[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '[' or ']' or '.') ? message[..colon] : null;
    }
}

/// <summary>Endpoint metadata naming the route's <see cref="ErrorShape"/>.</summary>
internal sealed record ErrorShapeMetadata(ErrorShape Shape);
