namespace SemanticMatch.Server.Hosting;

/// <summary>Endpoint metadata: the scope a key needs for this route.</summary>
/// <param name="Scope">The scope.</param>
internal sealed record RequiredScope(Scope Scope);
