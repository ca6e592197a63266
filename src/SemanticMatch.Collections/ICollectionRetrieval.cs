using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>A store's retrieval for one search of a collection: the engine's retrieval seam, and the records it returns.</summary>
public interface ICollectionRetrieval : IRetrieval
{
    /// <summary>The records of the given ids (with every field: the searcher hides the private ones); result[i] belongs to ids[i], null where it is gone.</summary>
    ValueTask<IReadOnlyList<Record?>> RecordsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}
