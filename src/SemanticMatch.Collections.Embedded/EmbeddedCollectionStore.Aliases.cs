using SemanticMatch.Core;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// Aliases of the embedded store: <c>DATA/aliases.json</c>, replaced atomically (temporary file, fsync, rename) under
/// the lock that creates and drops collections, and held in memory as one immutable map swapped whole.
/// </summary>
public sealed partial class EmbeddedCollectionStore : ICollectionAliases
{
    private const string AliasesFile = "aliases.json";

    private volatile Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<string?> ResolveAliasAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_aliases.GetValueOrDefault(name));

    /// <inheritdoc />
    public Task<IReadOnlyList<CollectionAlias>> AliasesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CollectionAlias>>(
            [.. _aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new CollectionAlias(a.Key, a.Value))]);

    /// <inheritdoc />
    public async Task<string?> SetAliasAsync(string aliasName, string collection, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(aliasName);
        CollectionSettings.CheckName(collection);
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collections.ContainsKey(aliasName) || _unavailable.ContainsKey(aliasName))
            {
                throw new AliasConflictException($"'{aliasName}' is a collection's name: an alias needs a name of its own");
            }

            if (!_collections.ContainsKey(collection) && !_unavailable.ContainsKey(collection))
            {
                throw _aliases.TryGetValue(collection, out var target)
                    ? new InvalidRequestException($"'{collection}' is an alias (of '{target}'): an alias names a collection, not another alias")
                    : new CollectionNotFoundException(collection);
            }

            var previous = _aliases.GetValueOrDefault(aliasName);
            SaveAliases(new Dictionary<string, string>(_aliases, StringComparer.Ordinal) { [aliasName] = collection });
            return previous;
        }
        finally
        {
            _schema.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAliasAsync(string aliasName, CancellationToken cancellationToken = default)
    {
        CollectionSettings.CheckName(aliasName);
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_aliases.ContainsKey(aliasName))
            {
                return false;
            }

            var remaining = new Dictionary<string, string>(_aliases, StringComparer.Ordinal);
            remaining.Remove(aliasName);
            SaveAliases(remaining);
            return true;
        }
        finally
        {
            _schema.Release();
        }
    }

    // Under the schema lock: an alias of that name blocks a create, an alias naming the collection blocks its drop.
    private void CheckNoAliasConflict(string name, bool dropping)
    {
        if (_aliases.TryGetValue(name, out var target))
        {
            throw new AliasConflictException(
                $"'{name}' is an alias of '{target}': remove the alias (DELETE /v1/aliases/{name}) first; collections are created and dropped by their own names");
        }

        if (dropping && _aliases.FirstOrDefault(a => a.Value == name) is { Key: { } alias })
        {
            throw new AliasConflictException($"collection '{name}' is what alias '{alias}' names: point the alias at another collection or remove it first");
        }
    }

    private void SaveAliases(Dictionary<string, string> aliases)
    {
        JsonMapFile.Save(_options.Files, Path.Combine(_dataDirectory, AliasesFile), aliases, "aliases");
        _aliases = aliases;
    }

    private static Dictionary<string, string> LoadAliases(string dataDirectory) =>
        JsonMapFile.Load<string>(Path.Combine(dataDirectory, AliasesFile), "it should map each alias to a collection, e.g. {\"shop\": \"shop-v2\"}");
}
