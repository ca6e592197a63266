namespace SemanticMatch.Core.Text;

/// <summary>
/// Which clean-up steps <see cref="TextNormalizer"/> applies. The same options must be used for queries and products;
/// an index records them so that search applies exactly what indexing did.
/// </summary>
public sealed record TextNormalizationOptions
{
    /// <summary>Unicode NFKC (full-width forms, ligatures, "½" to "1/2") and removal of control characters.</summary>
    public bool Unicode { get; init; } = true;

    /// <summary>Remove HTML tags and decode entities ("&amp;amp;" to "&amp;"), as product descriptions often carry markup.</summary>
    public bool StripHtml { get; init; } = true;

    /// <summary>Standardise measurements: fractions to decimals, unit spellings to one word, "2x4" to "2 x 4".</summary>
    public bool Units { get; init; } = true;

    /// <summary>All steps on.</summary>
    public static TextNormalizationOptions Default { get; } = new();

    /// <summary>Only whitespace collapsing (always applied).</summary>
    public static TextNormalizationOptions None { get; } = new() { Unicode = false, StripHtml = false, Units = false };
}
