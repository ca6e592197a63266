namespace SemanticMatch.Client;

/// <summary>How a <see cref="SemanticMatchClient"/> reaches the service.</summary>
public sealed class SemanticMatchClientOptions
{
    /// <summary>The service's address, e.g. <c>http://localhost:8080</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The API key (<c>semmatch keys add</c>); none while the service has no keys.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Retries of a request answered 429 or 503, or that did not reach the service (0: none). Default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The longest wait before a retry, whatever <c>Retry-After</c> says. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Records sent in one request by the batch upload. Default 500.</summary>
    public int UploadBatchSize { get; init; } = 500;

    /// <summary>How long one request may take. Default 100 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
}
