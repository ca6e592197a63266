namespace SemanticMatch.Collections;

/// <summary>An alias and the collection it names.</summary>
public sealed record CollectionAlias(string Alias, string Collection);

/// <summary>
/// Stable names for collections: a site searches "shop" while the collection behind it changes, the switch atomic (every
/// request resolves the alias once, to the old collection or the new one). Aliases and collections share one name space.
/// </summary>
/// <remarks>Both stores implement it beside <see cref="ICollectionStore"/>; aliases are durable like collections.</remarks>
public interface ICollectionAliases
{
    /// <summary>The collection <paramref name="name"/> is an alias of, or null when it is not an alias.</summary>
    Task<string?> ResolveAliasAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every alias, by name.</summary>
    Task<IReadOnlyList<CollectionAlias>> AliasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Points <paramref name="aliasName"/> at <paramref name="collection"/> (creates it, or swaps it atomically); returns the collection it named before, or null when it is new.</summary>
    /// <exception cref="Core.InvalidRequestException">A name is not a valid collection name.</exception>
    /// <exception cref="CollectionNotFoundException">No such collection (an alias names a collection, never another alias).</exception>
    /// <exception cref="AliasConflictException">A collection is named <paramref name="aliasName"/>.</exception>
    Task<string?> SetAliasAsync(string aliasName, string collection, CancellationToken cancellationToken = default);

    /// <summary>Deletes an alias (the collection stays); false when there was none.</summary>
    Task<bool> RemoveAliasAsync(string aliasName, CancellationToken cancellationToken = default);
}
