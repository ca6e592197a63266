namespace SemanticMatch.Core;

/// <summary>
/// Storage the engine depends on cannot be reached (a database that is down or restarting); the request did nothing
/// that was acknowledged and may be retried. A server answers 503 with Retry-After; the command line reports the
/// message (it is the setup's problem, not a bug).
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
