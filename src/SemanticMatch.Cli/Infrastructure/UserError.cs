using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>A mistake in what the user asked for (bad option combination, missing file); printed without a stack trace.</summary>
internal sealed class UserError(string message) : Exception(message)
{
    /// <summary>Exit code for user mistakes.</summary>
    public const int ExitCode = 2;

    /// <summary>Whether an exception is the user's to fix (its message is enough) rather than a bug.</summary>
    public static bool IsUserFacing(Exception e) => e is UserError or InputFormatException or ModelFormatException
        or IndexMismatchException or VectorIndexException or ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException;
}
