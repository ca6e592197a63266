using SemanticMatch.Core;

namespace SemanticMatch.CommandLine;

/// <summary>A mistake in what the user asked for (bad option combination, missing file); printed without a stack trace.</summary>
public sealed class UserError(string message) : InvalidRequestException(message);
