using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Serves the search page (Page/: index.html, app.js, app.css, embedded in this assembly) at <c>/</c>, and the analytics page
/// (analytics.html, analytics.js) at <c>/analytics</c>; shared.js holds what both pages' scripts use. It calls the
/// /v1 API from the browser and loads nothing from elsewhere (a content security policy says so).
/// </summary>
internal static class SearchPage
{
    private const string Policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] s_files =
    [
        ("/", "page/index.html", "text/html; charset=utf-8"),
        ("/page/shared.js", "page/shared.js", "text/javascript; charset=utf-8"),
        ("/page/app.js", "page/app.js", "text/javascript; charset=utf-8"),
        ("/page/app.css", "page/app.css", "text/css; charset=utf-8"),
        ("/analytics", "page/analytics.html", "text/html; charset=utf-8"),
        ("/page/analytics.js", "page/analytics.js", "text/javascript; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (route, resource, contentType) in s_files)
        {
            var content = Read(resource);
            app.MapMethods(route, ["GET", "HEAD"], (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = Policy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            }).ExcludeFromDescription().AllowAnonymous();
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the page resource {resource} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
