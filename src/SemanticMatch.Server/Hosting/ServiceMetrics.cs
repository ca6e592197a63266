using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Hosting;

/// <summary>The service's own OpenTelemetry instruments (HTTP request counts and latencies come from ASP.NET Core's meters).</summary>
public sealed class ServiceMetrics : IDisposable
{
    /// <summary>The meter name to export.</summary>
    public const string MeterName = "SemanticMatch";

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _searchSeconds;
    private readonly Counter<long> _rejected;
    private readonly ICollectionStore _store;
    private volatile IReadOnlyList<CollectionInfo> _collections = [];

    /// <summary>Creates the instruments; <paramref name="store"/> is observed for record counts and sizes, <paramref name="traffic"/> for searches it lost.</summary>
    public ServiceMetrics(ICollectionStore store, Collections.Feedback.TrafficLog traffic)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        _store = store;
        _meter.CreateObservableCounter("semanticmatch.traffic.searches_lost", () => traffic.LostSearches, "{search}",
            "Searches whose traffic-log entry could not be written (the storage refused it, or 100,000 entries were waiting)");
        _rejected = _meter.CreateCounter<long>("semanticmatch.requests.rejected", "{request}", "Requests refused before any work, by reason");
        _searchSeconds = _meter.CreateHistogram<double>("semanticmatch.search.duration", "s", "Search time inside the engine, by method");
        _meter.CreateObservableGauge("semanticmatch.collection.records",
            () => _collections.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("collection", c.Name))),
            description: "Records per collection");
        _meter.CreateObservableGauge("semanticmatch.collection.disk",
            () => _collections.Select(c => new Measurement<long>(c.BytesOnDisk, new KeyValuePair<string, object?>("collection", c.Name))),
            unit: "By", description: "Bytes on disk per collection");
    }

    /// <summary>
    /// Lists the collections the gauges report. The exporter reads gauges synchronously, so the scrape endpoint awaits
    /// this first (see <see cref="RefreshesCollectionGauges"/>); a store that is down reports no collections.
    /// </summary>
    public async Task RefreshCollectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            _collections = await _store.ListAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            _collections = [];
        }
    }

    /// <summary>Endpoint metadata: refresh the collection gauges before this endpoint runs.</summary>
    public sealed class RefreshesCollectionGauges;

    /// <summary>Middleware (after routing) that refreshes the gauges for endpoints marked <see cref="RefreshesCollectionGauges"/>.</summary>
    public static async Task RefreshBeforeScrapeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RefreshesCollectionGauges>() is not null)
        {
            await context.RequestServices.GetRequiredService<ServiceMetrics>().RefreshCollectionsAsync(context.RequestAborted);
        }

        await next(context);
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
    public void Dispose() => _meter.Dispose();
}
