using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;
using SemanticMatch.Server.Api;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// The stable, machine-readable <c>code</c> every error answer carries (ProblemDetails' <c>code</c>, OpenAI's
/// <c>error.code</c>): a client branches on it, never on the wording of <c>detail</c>. Listed in docs/api.md.
/// </summary>
internal static class ErrorCodes
{
    public const string CollectionNotFound = "collection_not_found";
    public const string CollectionExists = "collection_exists";
    public const string NotFound = "not_found";
    public const string RecordNotFound = "record_not_found";
    public const string ModelNotFound = "model_not_found";
    public const string OverLimit = "over_limit";
    public const string InvalidRequest = "invalid_request";
    public const string InvalidBody = "invalid_body";
    public const string InvalidPath = "invalid_path";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string Busy = "busy";
    public const string Cancelled = "cancelled";
    public const string StoreUnavailable = "store_unavailable";
    public const string StorageFull = "storage_full";
    public const string CollectionUnavailable = "collection_unavailable";
    public const string InternalError = "internal_error";
    public const string GenerationConflict = "generation_conflict";
    public const string AliasConflict = "alias_conflict";
    public const string AliasNotFound = "alias_not_found";

    /// <summary>The code of an error answered with <paramref name="status"/>, caused by <paramref name="exception"/> when one was thrown.</summary>
    public static string For(Exception? exception, int status) => exception switch
    {
        CollectionNotFoundException => CollectionNotFound,
        CollectionConflictException => CollectionExists,
        GenerationConflictException => GenerationConflict,
        AliasConflictException => AliasConflict,
        AliasNotFoundException => AliasNotFound,
        RequestLimitException => OverLimit,
        ModelNotFoundException => ModelNotFound,
        InvalidRequestException => InvalidRequest,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => PayloadTooLarge,
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => UnsupportedMediaType,
        BadHttpRequestException or JsonException => InvalidBody,
        OperationCanceledException => Cancelled,
        StorageFaultException { IsFull: true } => StorageFull,
        StoreUnavailableException or StorageFaultException => StoreUnavailable,
        CollectionUnavailableException => CollectionUnavailable,
        null => status switch
        {
            StatusCodes.Status401Unauthorized => Unauthorized,
            StatusCodes.Status403Forbidden => Forbidden,
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
            StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
            StatusCodes.Status422UnprocessableEntity => OverLimit,
            StatusCodes.Status429TooManyRequests => RateLimited,
            StatusCodes.Status503ServiceUnavailable => Busy,
            >= 500 => InternalError,
            _ => InvalidRequest,
        },
        _ => InternalError,
    };
}
