using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;
using SemanticMatch.Server.Api;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Answers every exception with ProblemDetails: the caller's mistakes (<see cref="InvalidRequestException"/>, unreadable
/// bodies) with 4xx and their message; storage that is down or refused a write with 503 (507 for a full disk) and Retry-After; anything else with 500 and a log entry, since it is our bug.
/// </summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ServiceMetrics metrics, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            CollectionNotFoundException or ModelNotFoundException or AliasNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
            CollectionConflictException or GenerationConflictException or AliasConflictException => (StatusCodes.Status409Conflict, "Conflict"),
            RequestLimitException => (StatusCodes.Status422UnprocessableEntity, "Over a limit"),
            InvalidRequestException => (StatusCodes.Status400BadRequest, "Bad request"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            JsonException => (StatusCodes.Status400BadRequest, "Bad request"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (StatusCodes.Status400BadRequest, "Cancelled"),
            StoreUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable"),
            StorageFaultException { IsFull: true } => (StatusCodes.Status507InsufficientStorage, "Insufficient storage"),
            StorageFaultException => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable"),
            CollectionUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Collection unavailable"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status != StatusCodes.Status500InternalServerError)
        {
            metrics.Reject(status switch
            {
                StatusCodes.Status404NotFound => "not_found",
                StatusCodes.Status413PayloadTooLarge or StatusCodes.Status422UnprocessableEntity => "over_limit",
                StatusCodes.Status503ServiceUnavailable or StatusCodes.Status507InsufficientStorage => "storage_unavailable",
                _ => "bad_request",
            });
        }

        string detail;
        if (status == StatusCodes.Status500InternalServerError)
        {
            LogBug(logger, exception, context.TraceIdentifier);
            detail = $"an internal error occurred (request {context.TraceIdentifier}); it is logged";
        }
        else
        {
            detail = exception is BadHttpRequestException { InnerException: JsonException json } ? json.Message : exception.Message;
        }

        context.Response.StatusCode = status;
        if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status507InsufficientStorage && exception is not CollectionUnavailableException)
        {
            LogUnavailable(logger, exception.Message, context.TraceIdentifier);
            context.Response.Headers.RetryAfter = StoreRetryAfterSeconds;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = ErrorCodes.For(exception, status) } },
        });
    }

    // Seconds a client waits before retrying while the storage is down (the store itself has retried meanwhile).
    private const string StoreRetryAfterSeconds = "2";

    [LoggerMessage(Level = LogLevel.Warning, Message = "storage unavailable in request {RequestId}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "internal error in request {RequestId}")]
    private static partial void LogBug(ILogger logger, Exception exception, string requestId);
}
