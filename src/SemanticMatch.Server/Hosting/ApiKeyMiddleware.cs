using Microsoft.AspNetCore.Http;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Once a data directory has keys, every /v1 request needs <c>Authorization: Bearer SECRET</c>: none or an unknown one
/// is answered 401, a key without the route's scope 403. Secrets are never logged.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeys keys, ServiceMetrics metrics)
{
    /// <summary>Where the name of the request's key is kept (for per-key rate limiting).</summary>
    public const string KeyNameItem = "semanticmatch.key";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!keys.Any || !context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? keys.Find(header[7..].Trim()) : null;
        if (key is not { } found)
        {
            metrics.Reject("unauthorized");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problem(context, StatusCodes.Status401Unauthorized, "Unauthorized", "send a valid API key as 'Authorization: Bearer SECRET'");
            return;
        }

        context.Items[KeyNameItem] = found.Name;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is { } required && !found.Scopes.Contains(required.Scope))
        {
            metrics.Reject("forbidden");
            await Problem(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"this key lacks the '{required.Scope.ToString().ToLowerInvariant()}' scope this route needs");
            return;
        }

        await next(context);
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
