using SemanticMatch.Core;

namespace SemanticMatch.Collections;

/// <summary>No collection of that name exists (a server answers 404).</summary>
public sealed class CollectionNotFoundException(string name)
    : InvalidRequestException($"no collection named '{name}'");

/// <summary>A collection of that name exists with other settings (a server answers 409).</summary>
public sealed class CollectionConflictException(string name)
    : InvalidRequestException($"collection '{name}' already exists with other settings; delete it first to change them");

/// <summary>
/// The store cannot reach its storage (a database that is down or restarting); the request did nothing that was
/// acknowledged and may be retried (a server answers 503 with Retry-After).
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
