using SemanticMatch.Core;

namespace SemanticMatch.Collections;

/// <summary>No collection of that name exists (a server answers 404).</summary>
public sealed class CollectionNotFoundException(string name)
    : InvalidRequestException($"no collection named '{name}'");

/// <summary>A collection of that name exists with other settings (a server answers 409).</summary>
public sealed class CollectionConflictException(string name)
    : InvalidRequestException($"collection '{name}' already exists with other settings; delete it first to change them");
