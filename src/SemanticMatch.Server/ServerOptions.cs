using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Server;

/// <summary>How <c>semmatch serve</c> runs.</summary>
public sealed record ServerOptions
{
    /// <summary>Where keys live, and collections and feedback logs with the embedded store.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// Keep collections and feedback in PostgreSQL with these settings (the service then keeps no state of its own and
    /// any number of replicas can share the database); null = the embedded store in <see cref="DataDirectory"/>.
    /// </summary>
    public Collections.Postgres.PostgresStoreOptions? Postgres { get; init; }

    /// <summary>Addresses to listen on (semicolon-separated); 127.0.0.1 by default.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>An appsettings-style JSON file with further configuration (Kestrel, logging), or null.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>
    /// The folder of the ready-made collections loaded into a data directory that never held a collection: products.csv
    /// as "demo", faq.jsonl as "faq" (customer-service questions), ads.jsonl as "ads" and products-zh.csv as "demo-zh"
    /// (Chinese); null = none.
    /// </summary>
    public string? DemoFolder { get; init; }

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxBodyBytes { get; init; } = 16L << 20;

    /// <summary>Requests per second allowed to each key (bursts of twice that); 0 = no limit.</summary>
    public int RequestsPerSecondPerKey { get; init; }

    /// <summary>Requests that may run at once on the model and index routes (search, similar, records, match, embed).</summary>
    public int MaxConcurrent { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>Requests that may wait for a slot; beyond them the service answers 503 at once.</summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>Most query embeddings gathered into one encoder call from concurrent requests; 1 = none.</summary>
    public int MicroBatch { get; init; } = 1;

    /// <summary>How searches and shoppers' events are logged (retention, query text).</summary>
    public Collections.Feedback.TrafficLogOptions Traffic { get; init; } = new();

    /// <summary>Durability settings of the embedded collections.</summary>
    public CollectionOptions Collections { get; init; } = new();
}
