using System.Net;
using Polly;
using Polly.Retry;

namespace SemanticMatch.Client;

/// <summary>
/// Retries a request the service refused for now (429 over the rate limit, 503 overloaded or its store unavailable) or
/// that never reached it, waiting what <c>Retry-After</c> says (else exponential backoff with jitter), by Polly's retry
/// strategy. A streamed body cannot be sent twice, so its request is not retried.
/// </summary>
internal sealed class RetryAfterHandler : DelegatingHandler
{
    /// <summary>Marks a request whose body can be sent only once.</summary>
    public static readonly HttpRequestOptionsKey<bool> SendOnce = new("SemanticMatch.SendOnce");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryAfterHandler(int maxRetries, TimeSpan maxDelay, HttpMessageHandler inner) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetries, 1);
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = maxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result: { } response } => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable,
                    { Exception: HttpRequestException } => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, maxDelay)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(SendOnce, out var once) && once)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await _pipeline.ExecuteAsync(
            async (state, token) => await state.Handler.SendBaseAsync(state.Request, token).ConfigureAwait(false),
            (Handler: this, Request: request), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The wait the answer asks for (seconds or a date), capped; null lets the backoff decide.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan maxDelay)
    {
        var wait = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, maxDelay.Ticks));
    }

    private Task<HttpResponseMessage> SendBaseAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}
