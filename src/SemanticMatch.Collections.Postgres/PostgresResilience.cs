using System.Net.Sockets;
using Npgsql;
using Polly.Retry;
using Polly;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// Retries an operation while the database cannot be reached (connection refused or reset, a server shutting down or
/// out of connections, serialization failures and deadlocks), with exponential backoff and jitter; after the last
/// retry it throws <see cref="StoreUnavailableException"/>. Every store operation is safe to repeat: writes are
/// upserts and deletes of whole records in one transaction.
/// </summary>
internal sealed class PostgresResilience
{
    private readonly ResiliencePipeline _pipeline;

    public PostgresResilience(PostgresStoreOptions options)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsUnreachable),
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetryDelay,
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Runs <paramref name="operation"/>, retrying it while the database is unreachable.</summary>
    /// <exception cref="StoreUnavailableException">It was still unreachable after the last retry.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await operation(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw new StoreUnavailableException($"the database cannot be reached ({e.Message}); try again shortly", e);
        }
    }

    private static bool IsUnreachable(Exception e) => e switch
    {
        PostgresException postgres => postgres.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };
}
