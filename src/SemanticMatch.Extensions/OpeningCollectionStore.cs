using SemanticMatch.Collections;

namespace SemanticMatch.Extensions;

/// <summary>
/// A collection store opened on first use, asynchronously (a database store runs its migrations when it opens), so a
/// DI container can hand it out without blocking on the opening; a failed opening is tried again on the next call.
/// </summary>
internal sealed class OpeningCollectionStore(Func<CancellationToken, Task<ICollectionStore>> open) : ICollectionStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ICollectionStore? _store;

    public async Task<bool> FirstUseAsync(CancellationToken cancellationToken = default) => await (await StoreAsync(cancellationToken)).FirstUseAsync(cancellationToken);

    public async Task<bool> CreateAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).CreateAsync(name, settings, cancellationToken);

    public async Task<bool> DropAsync(string name, CancellationToken cancellationToken = default) => await (await StoreAsync(cancellationToken)).DropAsync(name, cancellationToken);

    public async Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).ListAsync(cancellationToken);

    public async Task<CollectionInfo> DescribeAsync(string name, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).DescribeAsync(name, cancellationToken);

    public async Task<int> UpsertAsync(string name, IReadOnlyList<Record> records, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).UpsertAsync(name, records, cancellationToken);

    public async Task<bool> DeleteAsync(string name, string id, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).DeleteAsync(name, id, cancellationToken);

    public async Task<Record?> FindAsync(string name, string id, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).FindAsync(name, id, cancellationToken);

    public async Task<CollectionSearchResult> SearchAsync(string name, CollectionQuery query, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).SearchAsync(name, query, cancellationToken);

    public async Task<IReadOnlyList<CollectionHit>?> SimilarAsync(string name, string id, int top, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).SimilarAsync(name, id, top, cancellationToken);

    public async Task<Synonyms> SynonymsAsync(string name, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).SynonymsAsync(name, cancellationToken);

    public async Task SetSynonymsAsync(string name, Synonyms synonyms, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).SetSynonymsAsync(name, synonyms, cancellationToken);

    public async Task<IReadOnlyList<string>> SuggestAsync(string name, string prefix, int limit, Collections.Feedback.IPopularQueries? popular = null,
        CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).SuggestAsync(name, prefix, limit, popular, cancellationToken);

    public async Task<int> StartGenerationAsync(string name, CollectionSettings settings, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).StartGenerationAsync(name, settings, cancellationToken);

    public async Task<int> RollbackAsync(string name, CancellationToken cancellationToken = default) =>
        await (await StoreAsync(cancellationToken)).RollbackAsync(name, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async ValueTask<ICollectionStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_store is { } opened)
        {
            return opened;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _store ??= await open(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
