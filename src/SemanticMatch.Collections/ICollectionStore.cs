namespace SemanticMatch.Collections;

/// <summary>
/// Named collections of records, each searchable by BM25, dense and hybrid retrieval. The embedded store keeps them in
/// files beside the service; other implementations (a database) sit behind the same interface.
/// </summary>
/// <remarks>
/// Thread-safe. Writes complete only once they are durable and visible to searches. A store that cannot reach its
/// storage throws <see cref="Core.StoreUnavailableException"/> (a server answers 503).
/// </remarks>
public interface ICollectionStore : IAsyncDisposable
{
    /// <summary>
    /// Whether the storage is new: true once, the first time this is asked of storage that never held a collection (so a
    /// service loads its ready-made collections once, and never again after they are dropped).
    /// </summary>
    Task<bool> FirstUseAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a collection; true when created, false when it already existed with the same settings.</summary>
    /// <exception cref="Core.InvalidRequestException">A bad name or settings, or an unknown model.</exception>
    /// <exception cref="CollectionConflictException">It exists with other settings.</exception>
    Task<bool> CreateAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Deletes a collection and its records; false when there was none.</summary>
    Task<bool> DropAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every collection, by name.</summary>
    Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>One collection's description.</summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    Task<CollectionInfo> DescribeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces records; returns how many.</summary>
    /// <exception cref="Storage.StorageFaultException">The storage refused the write (a full disk ...): nothing of it was applied.</exception>
    Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default);

    /// <summary>Deletes a record; false when it was not there.</summary>
    /// <exception cref="Storage.StorageFaultException">The storage refused the write: the record is still there.</exception>
    Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default);

    /// <summary>A record without its private fields, or null.</summary>
    Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default);

    /// <summary>Searches a collection.</summary>
    Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default);

    /// <summary>The records most similar to record <paramref name="id"/>, or null when it is not there.</summary>
    Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default);

    /// <summary>The collection's synonyms (<see cref="Synonyms.None"/> until set).</summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    Task<Synonyms> SynonymsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the collection's synonyms; completes when they are durable, and the next search uses them.</summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    Task SetSynonymsAsync(string name, Synonyms synonyms, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts building a new generation of the collection with <paramref name="settings"/> (a new model, or any setting
    /// that needs the records re-embedded or re-indexed): every record is copied in the background while the current
    /// generation serves, writes meanwhile reach both, and the new one serves once it is complete. Returns its number.
    /// </summary>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    /// <exception cref="GenerationConflictException">A generation is being built already.</exception>
    /// <exception cref="Core.InvalidRequestException">Bad settings, or an unknown model.</exception>
    Task<int> StartGenerationAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Serves the previous generation again (the one serving becomes the previous); returns the number now serving.</summary>
    /// <exception cref="GenerationConflictException">There is no previous generation.</exception>
    Task<int> RollbackAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> completions of <paramref name="prefix"/> (<see cref="Completions"/>): popular
    /// logged queries starting with it, then the words of the collection's shown fields completing its last word (the
    /// words before it kept, those in most records first), then both again for the last word with one typo fixed.
    /// </summary>
    /// <param name="name">The collection.</param>
    /// <param name="prefix">What the shopper typed so far.</param>
    /// <param name="limit">Most completions.</param>
    /// <param name="popular">Where popular logged queries are found (asked only once the collection is known to exist); null for the catalogue's words alone.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    /// <exception cref="CollectionNotFoundException">No such collection.</exception>
    Task<IReadOnlyList<string>> SuggestAsync(string name, string prefix, int limit, Feedback.IPopularQueries? popular = null,
        CancellationToken cancellationToken = default);
}
