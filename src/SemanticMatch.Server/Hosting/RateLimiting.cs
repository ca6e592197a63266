using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Per-key request rate limits as an endpoint policy (ASP.NET Core's rate limiter, a token bucket per key; per client
/// address without keys), put on the /v1 route groups: over the limit a request is answered 429 with Retry-After,
/// before any work is done.
/// </summary>
internal static class RateLimiting
{
    /// <summary>The policy the API's route groups require.</summary>
    public const string PerKey = "per-key";

    public static IServiceCollection AddPerKeyRateLimit(this IServiceCollection services, int requestsPerSecond)
    {
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PerKey, context => requestsPerSecond <= 0
                ? RateLimitPartition.GetNoLimiter("unlimited")
                : RateLimitPartition.GetTokenBucketLimiter(ApiKeyAuthentication.PartitionOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = requestsPerSecond * 2,
                    TokensPerPeriod = requestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                rejected.HttpContext.RequestServices.GetRequiredService<ServiceMetrics>().Reject("rate_limited");
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"over {requestsPerSecond} requests per second for this key; retry after the Retry-After header's seconds")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
