using SemanticMatch.Ranking;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Core;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Server.Hosting;

/// <summary>Where the service keeps collections and feedback: files in its data directory, or a PostgreSQL database.</summary>
internal sealed class ServiceStorage : IAsyncDisposable
{
    private ServiceStorage(ICollectionStore collections, IFeedbackStore feedback, TrafficLogOptions traffic, string description)
    {
        Collections = collections;
        Feedback = feedback;
        Traffic = new TrafficLog(feedback, traffic);
        Description = description;
    }

    public ICollectionStore Collections { get; }

    /// <summary>The aliases of <see cref="Collections"/> (each store keeps its own).</summary>
    public ICollectionAliases Aliases => (ICollectionAliases)Collections;

    /// <summary>The interleaving experiments of <see cref="Collections"/>.</summary>
    public Collections.Experiments.ICollectionExperiments Experiments => (Collections.Experiments.ICollectionExperiments)Collections;

    public IFeedbackStore Feedback { get; }

    /// <summary>The traffic log over <see cref="Feedback"/>: searches, events, and the judgments made of them.</summary>
    public TrafficLog Traffic { get; }

    /// <summary>Collections that exist but could not be opened, with the reason (the embedded store's damaged folders).</summary>
    public IReadOnlyDictionary<string, string> Unavailable =>
        Collections is EmbeddedCollectionStore embedded ? embedded.Unavailable : new Dictionary<string, string>();

    /// <summary>Where, in words (no password).</summary>
    public string Description { get; }

    public static async Task<ServiceStorage> OpenAsync(ServerOptions options, IModelProvider models, CancellationToken cancellationToken)
    {
        if (options.Postgres is { } postgres)
        {
            var store = await PostgresCollectionStore.OpenAsync(models, postgres with { Rankers = postgres.Rankers ?? new RankerProvider().Open }, cancellationToken);
            return new ServiceStorage(store, new PostgresFeedbackStore(store), options.Traffic, $"PostgreSQL {store.Describe()}");
        }

        Directory.CreateDirectory(options.DataDirectory);
        var collections = options.Collections.Rankers is null ? options.Collections with { Rankers = new RankerProvider().Open } : options.Collections;
        var embedded = EmbeddedCollectionStore.Open(options.DataDirectory, models, collections);
        return new ServiceStorage(embedded, new FileFeedbackStore(options.DataDirectory, collections.Files), options.Traffic, $"embedded store in {options.DataDirectory}");
    }

    public async ValueTask DisposeAsync()
    {
        await Traffic.DisposeAsync(); // the searches still queued are written first
        await Collections.DisposeAsync();
        (Feedback as IDisposable)?.Dispose();
    }
}
