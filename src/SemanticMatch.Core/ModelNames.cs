namespace SemanticMatch.Core;

/// <summary>Names of models every host and store agrees on.</summary>
public static class ModelNames
{
    /// <summary>The bundled model used when none is named: all-MiniLM-L6-v2.</summary>
    public const string Default = "minilm";
}
