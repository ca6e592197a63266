namespace SemanticMatch.Extensions;

/// <summary>Settings of <see cref="ServiceCollectionExtensions.AddSemanticMatch"/> (bind them from configuration with IOptions).</summary>
public sealed class SemanticMatchOptions
{
    /// <summary>The model the <c>IEmbeddingGenerator</c> uses: "minilm", "minilm-int8", "arctic", "arctic-int8" or a model directory.</summary>
    public string Model { get; set; } = Core.ModelNames.Default;

    /// <summary>Where bundled models are extracted; null = $SEMANTICMATCH_MODELS or ~/.cache/semanticmatch/models.</summary>
    public string? ModelStore { get; set; }

    /// <summary>Where embedded collections live; null = no <c>ICollectionStore</c> is registered.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>ONNX Runtime threads per encoder call (1 suits a server with many concurrent callers).</summary>
    public int EncoderThreads { get; set; } = Environment.ProcessorCount;
}
