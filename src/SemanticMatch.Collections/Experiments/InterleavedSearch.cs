using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Experiments;

/// <summary>
/// A search under a collection's experiment: for the share of first-page searches the query id selects, both the
/// collection and the candidate are searched with the same query and the hits shown are their team-draft
/// interleaving; every other search (every later page, and every search sorted by a field) is the collection's own.
/// </summary>
public static class InterleavedSearch
{
    /// <summary>Searches <paramref name="name"/>; the interleaving when this search is one of the experiment's, else null.</summary>
    /// <remarks>
    /// The answer's spelling, total and facets are the collection's own. A candidate that cannot be searched (dropped,
    /// unavailable) leaves the search uninterleaved rather than failing it.
    /// </remarks>
    public static async Task<(CollectionSearchResult Result, Interleaving? Interleaving)> SearchAsync(ICollectionStore store, string name,
        CollectionQuery query, string queryId, Experiment? experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (experiment is null || query.Offset != 0 || query.Sort.Count > 0 || !TeamDraft.Takes(queryId, experiment.Share))
        {
            return (await store.SearchAsync(name, query, cancellationToken).ConfigureAwait(false), null);
        }

        var serving = store.SearchAsync(name, query, cancellationToken);
        var candidate = store.SearchAsync(experiment.Candidate, query, cancellationToken);
        var own = await serving.ConfigureAwait(false);
        CollectionSearchResult other;
        try
        {
            other = await candidate.ConfigureAwait(false);
        }
        catch (Exception e) when (e is CollectionNotFoundException or CollectionUnavailableException)
        {
            return (own, null);
        }

        var (hits, teams) = TeamDraft.Interleave(own.Hits, other.Hits, h => h.Record.Id, query.Top, queryId);
        return (own with { Hits = hits }, new Interleaving(experiment.Candidate, teams));
    }
}
