using SemanticMatch.Core;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>A mistake in what the user asked for (bad option combination, missing file); printed without a stack trace.</summary>
internal sealed class UserError(string message) : InvalidRequestException(message);
