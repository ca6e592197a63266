using System.Text.Json.Serialization;

namespace SemanticMatch.Onnx.Models;

/// <summary>How token vectors become one sentence vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Pooling>))]
public enum Pooling
{
    /// <summary>Average of the token vectors under the attention mask (sentence-transformers' default; MiniLM).</summary>
    Mean,

    /// <summary>The [CLS] token's vector (ArcticXs, BGE).</summary>
    Cls,

    /// <summary>Per-dimension maximum over the unpadded tokens.</summary>
    Max,
}

/// <summary>What the model computes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelKind>))]
public enum ModelKind
{
    /// <summary>Encodes one text into a vector; relevance is the similarity of two vectors.</summary>
    [JsonStringEnumMemberName("bi-encoder")]
    BiEncoder,

    /// <summary>Reads "query [SEP] product" together and outputs a relevance score.</summary>
    [JsonStringEnumMemberName("cross-encoder")]
    CrossEncoder,
}

/// <summary>How the weights are stored.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WeightPrecision>))]
public enum WeightPrecision
{
    /// <summary>32-bit floats, as exported.</summary>
    [JsonStringEnumMemberName("fp32")]
    Fp32,

    /// <summary>Weight MatMuls rewritten to int8 DynamicQuantizeMatMul with per-column scales (see <c>semmatch quantize</c>).</summary>
    [JsonStringEnumMemberName("int8")]
    Int8Weights,
}

/// <summary>What a cross-encoder's score means.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CrossEncoderScore>))]
public enum CrossEncoderScore
{
    /// <summary>Probability that the pair is relevant (2-label head, softmax).</summary>
    [JsonStringEnumMemberName("probability")]
    Probability,

    /// <summary>Predicted graded relevance on the training labels' scale (1-output head, scaled sigmoid).</summary>
    [JsonStringEnumMemberName("relevance")]
    Relevance,
}

/// <summary>
/// The configuration file (<c>semanticmatch.json</c>) of a model directory; see docs/model-format.md.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The format tag every config carries.</summary>
    public const string CurrentFormat = "semanticmatch-model/1";

    /// <summary>Format tag; must equal <see cref="CurrentFormat"/>.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>Human-readable model name, e.g. "all-MiniLM-L6-v2".</summary>
    public required string Name { get; init; }

    /// <summary>Bi-encoder or cross-encoder.</summary>
    public ModelKind Kind { get; init; } = ModelKind.BiEncoder;

    /// <summary>Sentence pooling.</summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Whether sentence vectors are L2-normalised (then dot product equals cosine).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Token limit per text, [CLS] and [SEP] included; longer texts are truncated.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>Text put before every query (e.g. ArcticXs' retrieval instruction).</summary>
    public string QueryPrefix { get; init; } = string.Empty;

    /// <summary>Text put before every product text.</summary>
    public string DocumentPrefix { get; init; } = string.Empty;

    /// <summary>Size of the sentence vector (the hidden size).</summary>
    public int Dimension { get; init; } = 384;

    /// <summary>Whether the tokenizer lower-cases and strips accents (BERT uncased).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Weight precision of the graph.</summary>
    public WeightPrecision Precision { get; init; } = WeightPrecision.Fp32;

    /// <summary>
    /// Name of the graph output: token vectors [batch, sequence, dimension] for a bi-encoder, scores [batch] for a
    /// cross-encoder.
    /// </summary>
    public string Output { get; init; } = "last_hidden_state";

    /// <summary>Cross-encoder only: token limit of the query part of a pair ([CLS] and [SEP] included).</summary>
    public int MaxQueryLength { get; init; } = 32;

    /// <summary>Cross-encoder only: what the score output means.</summary>
    public CrossEncoderScore Score { get; init; } = CrossEncoderScore.Probability;

    /// <summary>
    /// The vocabulary the weights were built for, when it is not the base model's own (written by a vocabulary
    /// extension); <see cref="ModelDirectory.Open"/> then refuses a vocab.txt of another size or content.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VocabularyRecord? Vocabulary { get; init; }
}

/// <summary>Identity of a model's vocab.txt.</summary>
/// <param name="Size">Tokens (lines).</param>
/// <param name="Sha256">SHA-256 (hex) of the file.</param>
/// <param name="Added">Tokens appended to the base model's vocabulary.</param>
public sealed record VocabularyRecord(int Size, string Sha256, int Added)
{
    /// <summary>The record of the vocab.txt at <paramref name="path"/>.</summary>
    public static VocabularyRecord Of(string path, int added) =>
        new(File.ReadLines(path).Count(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), added);
}
