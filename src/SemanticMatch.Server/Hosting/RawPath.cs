using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// The path rules, stated once: routes match case-insensitively; a request whose path holds a dot segment (<c>.</c> or
/// <c>..</c>, written plainly or percent-encoded) is refused with 400 before routing, since the server would otherwise
/// resolve it and route to another endpoint; route values are read from the raw request target and percent-decoded
/// in full, so <c>%2F</c> in a record id is a '/' of that id and <c>%252F</c> the three characters "%2F".
/// </summary>
internal static class RawPath
{
    /// <summary>Middleware: 400 ProblemDetails for a dot segment.</summary>
    public static async Task RefuseDotSegmentsAsync(HttpContext context, RequestDelegate next)
    {
        if (Segments(context).FirstOrDefault(s => Uri.UnescapeDataString(s) is "." or "..") is { } dot)
        {
            context.RequestServices.GetService<ServiceMetrics>()?.Reject("bad_request");
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: $"the path holds the segment '{dot}': '.' and '..' are not allowed in paths (percent-encode ids, and ids cannot be '.' or '..')",
                extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.InvalidPath })
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>
    /// An endpoint filter factory: replaces each string argument bound from a route parameter by the full
    /// percent-decoding of its raw path segment.
    /// </summary>
    public static EndpointFilterDelegate DecodeRouteValues(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var parameters = factory.MethodInfo.GetParameters();
        return async context =>
        {
            if (context.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern: var pattern })
            {
                var raw = Segments(context.HttpContext);
                for (var segment = 0; segment < pattern.PathSegments.Count && segment < raw.Count; segment++)
                {
                    if (pattern.PathSegments[segment].Parts is [Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart part])
                    {
                        var index = Array.FindIndex(parameters, p => p.Name == part.Name && p.ParameterType == typeof(string));
                        if (index >= 0 && index < context.Arguments.Count)
                        {
                            context.Arguments[index] = Uri.UnescapeDataString(raw[segment]);
                        }
                    }
                }
            }

            return await next(context);
        };
    }

    // The raw target's path segments (without the leading empty one), before any decoding or dot-segment resolution.
    private static List<string> Segments(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var end = target.IndexOfAny(['?', '#']);
        var path = end >= 0 ? target[..end] : target;
        if (!path.StartsWith('/'))
        {
            // An absolute-form target ("http://host/path"): its path as written (Uri would resolve the dot segments).
            var authority = path.IndexOf("://", StringComparison.Ordinal);
            var slash = authority >= 0 ? path.IndexOf('/', authority + 3) : -1;
            path = slash >= 0 ? path[slash..] : "/";
        }

        return [.. path.Split('/').Skip(1)];
    }
}
