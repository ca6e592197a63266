using SemanticMatch.Core;

namespace SemanticMatch.Collections;

/// <summary>No collection of that name exists (a server answers 404).</summary>
public sealed class CollectionNotFoundException(string name)
    : InvalidRequestException($"no collection named '{name}'");

/// <summary>A collection of that name exists with other settings, or its folder cannot be opened (a server answers 409).</summary>
public sealed class CollectionConflictException(string name, string? why = null)
    : InvalidRequestException(why is null
        ? $"collection '{name}' already exists with other settings; delete it first to change them"
        : $"collection '{name}' cannot be created: {why}");

/// <summary>
/// A collection exists on disk but could not be opened (damaged or unreadable files): requests to it are refused with
/// the reason, which names the file (a server answers 503), until it is recovered or deleted.
/// </summary>
public sealed class CollectionUnavailableException(string name, string reason)
    : Exception($"collection '{name}' is not open: {reason}. Run 'semmatch recover --collection {name}' to salvage it, or delete it");

/// <summary>A generation cannot start or be rolled back now: one is being built, or there is no previous one (a server answers 409).</summary>
public sealed class GenerationConflictException(string message) : InvalidRequestException(message);

/// <summary>
/// An alias and a collection would share a name, or a collection an alias names would be dropped (a server answers 409).
/// </summary>
public sealed class AliasConflictException(string message) : InvalidRequestException(message);

/// <summary>No alias of that name exists (a server answers 404).</summary>
public sealed class AliasNotFoundException(string alias) : InvalidRequestException($"no alias named '{alias}'");
