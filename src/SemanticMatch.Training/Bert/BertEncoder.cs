using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Bert;

/// <summary>
/// A BERT encoder in TorchSharp with Hugging Face's layout (post-LayerNorm, erf GELU, additive attention mask),
/// producing token vectors [batch, sequence, hidden] like the ONNX graphs it imports from.
/// </summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding _word;
    private readonly Embedding _position;
    private readonly Embedding _tokenType;
    private readonly LayerNorm _norm;
    private readonly Dropout _dropout;
    private readonly ModuleList<BertLayer> _layers;

    /// <summary>Creates an encoder with random weights (import real ones with <see cref="OnnxBertWeights"/>).</summary>
    public BertEncoder(BertConfig config)
        : base(nameof(BertEncoder))
    {
        Config = config;
        _word = nn.Embedding(config.VocabularySize, config.Hidden);
        _position = nn.Embedding(config.MaxPositions, config.Hidden);
        _tokenType = nn.Embedding(config.TypeVocabularySize, config.Hidden);
        _norm = nn.LayerNorm([config.Hidden], config.LayerNormEps);
        _dropout = nn.Dropout(config.Dropout);
        _layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>The shape.</summary>
    public BertConfig Config { get; }

    /// <summary>The transformer layers, bottom first.</summary>
    public IReadOnlyList<BertLayer> Layers => [.. _layers];

    /// <summary>Every parameter under its Hugging Face name, with whether the ONNX graph stores it transposed.</summary>
    public IEnumerable<(string Name, Parameter Parameter, bool Transposed)> NamedWeights()
    {
        yield return ("embeddings.word_embeddings.weight", _word.weight!, false);
        yield return ("embeddings.position_embeddings.weight", _position.weight!, false);
        yield return ("embeddings.token_type_embeddings.weight", _tokenType.weight!, false);
        yield return ("embeddings.LayerNorm.weight", _norm.weight!, false);
        yield return ("embeddings.LayerNorm.bias", _norm.bias!, false);
        for (var i = 0; i < _layers.Count; i++)
        {
            foreach (var (name, parameter, transposed) in _layers[i].NamedWeights())
            {
                yield return ($"encoder.layer.{i}.{name}", parameter, transposed);
            }
        }
    }

    /// <summary>The embedding module parameters (for freezing).</summary>
    public IEnumerable<Parameter> EmbeddingParameters() => _word.parameters().Concat(_position.parameters())
        .Concat(_tokenType.parameters()).Concat(_norm.parameters());

    /// <summary>Token vectors for token ids and an attention mask (1 = token, 0 = padding), both int64 [batch, sequence].</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => ForwardPairs(inputIds, attentionMask, null);

    /// <summary>
    /// Token vectors with segment ids (0 = first text, 1 = second; a cross-encoder's query and product), all int64
    /// [batch, sequence]; null token types are all 0.
    /// </summary>
    public Tensor ForwardPairs(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypes)
    {
        using var scope = NewDisposeScope();
        var sequence = inputIds.shape[1];
        var positions = arange(sequence, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var x = _word.forward(inputIds) + _position.forward(positions) + _tokenType.forward(tokenTypes ?? zeros_like(inputIds));
        x = _dropout.forward(_norm.forward(x));

        // Additive mask as in the exported graphs: 0 for tokens, -10000 for padding, broadcast over heads and queries.
        var maskBias = (1 - attentionMask.to_type(ScalarType.Float32)).unsqueeze(1).unsqueeze(2) * -10000f;
        foreach (var layer in _layers)
        {
            x = layer.forward(x, maskBias);
        }

        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>One transformer layer: self-attention and feed-forward, each with residual and LayerNorm.</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _heads;
    private readonly int _headSize;
    private readonly Dropout _attentionDropout;
    private readonly Dropout _outputDropout;
    private readonly LayerNorm _attentionNorm;
    private readonly LayerNorm _outputNorm;

    internal BertLayer(BertConfig config)
        : base(nameof(BertLayer))
    {
        _heads = config.Heads;
        _headSize = config.Hidden / config.Heads;
        Query = new LoraLinear(config.Hidden, config.Hidden);
        Key = new LoraLinear(config.Hidden, config.Hidden);
        Value = new LoraLinear(config.Hidden, config.Hidden);
        AttentionOutput = nn.Linear(config.Hidden, config.Hidden);
        Intermediate = nn.Linear(config.Hidden, config.Intermediate);
        Output = nn.Linear(config.Intermediate, config.Hidden);
        _attentionDropout = nn.Dropout(config.Dropout);
        _outputDropout = nn.Dropout(config.Dropout);
        _attentionNorm = nn.LayerNorm([config.Hidden], config.LayerNormEps);
        _outputNorm = nn.LayerNorm([config.Hidden], config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>Query projection (LoRA-capable).</summary>
    public LoraLinear Query { get; }

    /// <summary>Key projection (LoRA-capable).</summary>
    public LoraLinear Key { get; }

    /// <summary>Value projection (LoRA-capable).</summary>
    public LoraLinear Value { get; }

    /// <summary>Attention output projection.</summary>
    public Linear AttentionOutput { get; }

    /// <summary>Feed-forward expansion.</summary>
    public Linear Intermediate { get; }

    /// <summary>Feed-forward contraction.</summary>
    public Linear Output { get; }

    /// <summary>This layer's parameters under their Hugging Face names (relative to the layer).</summary>
    public IEnumerable<(string Name, Parameter Parameter, bool Transposed)> NamedWeights()
    {
        yield return ("attention.self.query.weight", Query.Base.weight!, true);
        yield return ("attention.self.query.bias", Query.Base.bias!, false);
        yield return ("attention.self.key.weight", Key.Base.weight!, true);
        yield return ("attention.self.key.bias", Key.Base.bias!, false);
        yield return ("attention.self.value.weight", Value.Base.weight!, true);
        yield return ("attention.self.value.bias", Value.Base.bias!, false);
        yield return ("attention.output.dense.weight", AttentionOutput.weight!, true);
        yield return ("attention.output.dense.bias", AttentionOutput.bias!, false);
        yield return ("attention.output.LayerNorm.weight", _attentionNorm.weight!, false);
        yield return ("attention.output.LayerNorm.bias", _attentionNorm.bias!, false);
        yield return ("intermediate.dense.weight", Intermediate.weight!, true);
        yield return ("intermediate.dense.bias", Intermediate.bias!, false);
        yield return ("output.dense.weight", Output.weight!, true);
        yield return ("output.dense.bias", Output.bias!, false);
        yield return ("output.LayerNorm.weight", _outputNorm.weight!, false);
        yield return ("output.LayerNorm.bias", _outputNorm.bias!, false);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor maskBias)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var sequence = x.shape[1];
        Tensor Heads(Tensor t) => t.view(batch, sequence, _heads, _headSize).transpose(1, 2);
        var q = Heads(Query.forward(x));
        var k = Heads(Key.forward(x));
        var v = Heads(Value.forward(x));
        var scores = q.matmul(k.transpose(-1, -2)) / MathF.Sqrt(_headSize) + maskBias;
        var context = _attentionDropout.forward(scores.softmax(-1)).matmul(v).transpose(1, 2).reshape(batch, sequence, -1);
        var attended = _attentionNorm.forward(_outputDropout.forward(AttentionOutput.forward(context)) + x);
        var hidden = nn.functional.gelu(Intermediate.forward(attended));
        return _outputNorm.forward(_outputDropout.forward(Output.forward(hidden)) + attended).MoveToOuterDisposeScope();
    }
}
