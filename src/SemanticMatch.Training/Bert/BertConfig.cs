namespace SemanticMatch.Training.Bert;

/// <summary>Shape of a BERT encoder; read from the ONNX weights.</summary>
public sealed record BertConfig
{
    /// <summary>Vocabulary size.</summary>
    public int VocabularySize { get; init; } = 30522;

    /// <summary>Hidden size.</summary>
    public int Hidden { get; init; } = 384;

    /// <summary>Number of transformer layers.</summary>
    public int Layers { get; init; } = 6;

    /// <summary>Attention heads (hidden / 64 for the MiniLM family).</summary>
    public int Heads { get; init; } = 12;

    /// <summary>Feed-forward size.</summary>
    public int Intermediate { get; init; } = 1536;

    /// <summary>Position embeddings (maximum sequence length).</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>Token type vocabulary.</summary>
    public int TypeVocabularySize { get; init; } = 2;

    /// <summary>Dropout on embeddings, attention probabilities and sub-layer outputs during training.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>LayerNorm epsilon (BERT: 1e-12).</summary>
    public double LayerNormEps { get; init; } = 1e-12;
}
