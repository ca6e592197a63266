using System.Diagnostics.Metrics;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Engine;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Hosting;

/// <summary>The service's own OpenTelemetry instruments (HTTP request counts and latencies come from ASP.NET Core's meters).</summary>
public sealed class ServiceMetrics : IDisposable
{
    /// <summary>The meter name to export.</summary>
    public const string MeterName = "SemanticMatch";

    /// <summary>How often the collections' counts and sizes are read for the gauges.</summary>
    public static readonly TimeSpan CollectionsRefresh = TimeSpan.FromSeconds(5);

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _searchSeconds;
    private readonly Counter<long> _rejected;
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<CollectionInfo> _collections = [];

    /// <summary>Creates the instruments; <paramref name="store"/> is listed in the background for record counts and sizes.</summary>
    public ServiceMetrics(ICollectionStore store)
    {
        _rejected = _meter.CreateCounter<long>("semanticmatch.requests.rejected", "{request}", "Requests refused before any work, by reason");
        _searchSeconds = _meter.CreateHistogram<double>("semanticmatch.search.duration", "s", "Search time inside the engine, by method");
        _meter.CreateObservableGauge("semanticmatch.collection.records",
            () => _collections.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("collection", c.Name))),
            description: "Records per collection");
        _meter.CreateObservableGauge("semanticmatch.collection.disk",
            () => _collections.Select(c => new Measurement<long>(c.BytesOnDisk, new KeyValuePair<string, object?>("collection", c.Name))),
            unit: "By", description: "Bytes on disk per collection");
        _ = RefreshAsync(store, _stop.Token); // ends when disposed; it handles its own failures
    }

    // The exporter reads gauges synchronously on every scrape; they report the last listing, made here in the background
    // (a scrape never waits for a database). A store that is down reports nothing until it answers again.
    private async Task RefreshAsync(ICollectionStore store, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CollectionsRefresh);
        try
        {
            do
            {
                try
                {
                    _collections = await store.ListAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (StoreUnavailableException)
                {
                    _collections = [];
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when ((e is OperationCanceledException && cancellationToken.IsCancellationRequested) || e is ObjectDisposedException)
        {
            // the service is stopping
        }
    }

    /// <summary>Counts a refused request: unauthorized, forbidden, rate_limited, busy, over_limit, bad_request, not_found (500s are not refusals: they are logged).</summary>
    public void Reject(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Observes how many requests wait for the admission gate.</summary>
    public void ObserveQueue(Func<int> waiting) =>
        _meter.CreateObservableGauge("semanticmatch.queue.waiting", waiting, description: "Requests waiting for a free slot on the model and index routes");

    /// <summary>Records one search's engine time.</summary>
    /// <remarks>
    /// Not by collection: collection names are chosen by clients, and an exported series lives as long as the process,
    /// so per-collection series of dropped collections would pile up. Only the gauges, which report the collections that
    /// exist at each scrape, carry the collection.
    /// </remarks>
    public void RecordSearch(SearchMethod method, TimeSpan elapsed) =>
        _searchSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("method", method.ToString().ToLowerInvariant()));

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _meter.Dispose();
        _stop.Dispose();
    }
}
