using Microsoft.AspNetCore.Http;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// Bounds the work in flight on the model and index routes: at most <c>concurrency</c> requests run, at most
/// <c>queue</c> more wait; anything beyond is answered 503 with Retry-After at once instead of queueing without end.
/// </summary>
public sealed class AdmissionGate : IDisposable
{
    private readonly SemaphoreSlim _running;
    private readonly int _queue;
    private readonly ServiceMetrics _metrics;
    private int _waiting;

    /// <summary>Creates the gate.</summary>
    public AdmissionGate(int concurrency, int queue, ServiceMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queue);
        _running = new SemaphoreSlim(concurrency, concurrency);
        _queue = queue;
        _metrics = metrics;
        metrics.ObserveQueue(() => Volatile.Read(ref _waiting));
    }

    /// <summary>An endpoint filter that passes requests through the gate.</summary>
    public async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!_running.Wait(0))
        {
            if (Interlocked.Increment(ref _waiting) > _queue)
            {
                Interlocked.Decrement(ref _waiting);
                _metrics.Reject("busy");
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
                    detail: "the service is at capacity and its queue is full; retry after the Retry-After header's seconds");
            }

            try
            {
                await _running.WaitAsync(context.HttpContext.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        try
        {
            return await next(context);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _running.Dispose();
}
