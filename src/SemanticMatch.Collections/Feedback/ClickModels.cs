namespace SemanticMatch.Collections.Feedback;

/// <summary>The click models by the names options and query parameters give them.</summary>
public static class ClickModels
{
    /// <summary>The names accepted.</summary>
    public const string Names = "position-based (pbm), naive";

    /// <summary>Reads a click model's name; null is the default (position-based).</summary>
    /// <exception cref="Core.InvalidRequestException">An unknown name (the message names <paramref name="where"/>).</exception>
    public static ClickModel Parse(string? name, string where) => name?.Trim().ToLowerInvariant() switch
    {
        null or "position-based" or "pbm" => ClickModel.PositionBased,
        "naive" => ClickModel.Naive,
        _ => throw new Core.InvalidRequestException($"{where}: '{name}' is not one of: {Names}"),
    };
}
