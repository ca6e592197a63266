using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// API keys as ASP.NET Core authentication, and scopes as authorization policies bound to endpoints (never to path
/// strings): once a data directory has keys, every endpoint needs <c>Authorization: Bearer SECRET</c> unless it is
/// marked anonymous (health, page, OpenAPI, metrics); none or an unknown one is answered 401, a key without the
/// endpoint's scope 403. Without keys every request is let in with every scope. Secrets are never logged.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string SchemeName = "ApiKey";
    private const string ScopeClaim = "scope";

    /// <summary>The policy an endpoint of <paramref name="scope"/> requires.</summary>
    public static string Policy(Scope scope) => "scope:" + ScopeName(scope);

    public static string ScopeName(Scope scope) => scope.ToString().ToLowerInvariant();

    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, Handler>(SchemeName, null);
        services.AddAuthorizationBuilder()
            // Anything not marked otherwise needs a key: a route added without a scope is closed, not open.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(Policy(Scope.Read), p => p.AddAuthenticationSchemes(SchemeName).RequireClaim(ScopeClaim, ScopeName(Scope.Read)))
            .AddPolicy(Policy(Scope.Write), p => p.AddAuthenticationSchemes(SchemeName).RequireClaim(ScopeClaim, ScopeName(Scope.Write)))
            .AddPolicy(Policy(Scope.Admin), p => p.AddAuthenticationSchemes(SchemeName).RequireClaim(ScopeClaim, ScopeName(Scope.Admin)));
        return services;
    }

    /// <summary>Requires <paramref name="scope"/> of this endpoint's key (and says which scope in a 403).</summary>
    public static TBuilder Needs<TBuilder>(this TBuilder builder, Scope scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(scope)).WithMetadata(new RequiredScope(scope));

    /// <summary>The name of the request's key (or its client address without keys), for per-key rate limits.</summary>
    public static string PartitionOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.Identity.Name is { } name
            ? "key:" + name
            : "address:" + context.Connection.RemoteIpAddress;

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        ApiKeys keys, ServiceMetrics metrics) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!keys.Any)
            {
                return Task.FromResult(Success("address:" + Context.Connection.RemoteIpAddress, Enum.GetValues<Scope>()));
            }

            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            return Task.FromResult(keys.Find(header[7..].Trim()) is { } found
                ? Success(found.Name, found.Scopes)
                : AuthenticateResult.Fail("unknown API key"));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            metrics.Reject("unauthorized");
            Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "send a valid API key as 'Authorization: Bearer SECRET'").ExecuteAsync(Context);
        }

        protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            metrics.Reject("forbidden");
            var scope = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope;
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: scope is { } needed ? $"this key lacks the '{ScopeName(needed)}' scope this route needs" : "this key may not use this route")
                .ExecuteAsync(Context);
        }

        private static AuthenticateResult Success(string name, IEnumerable<Scope> scopes)
        {
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, name), .. scopes.Select(s => new Claim(ScopeClaim, ScopeName(s)))], SchemeName);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
        }
    }
}
