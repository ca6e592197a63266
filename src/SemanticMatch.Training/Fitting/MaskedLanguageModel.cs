using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>
/// Continued pretraining: BERT's masked-language modelling on the training texts (every query and product text of the
/// pairs; labels unused), so that vocabulary rows added for a new script learn from the text itself before a matcher
/// is fine-tuned. 15 % of the non-special tokens are chosen; 80 % of them become [MASK], 10 % a random token, 10 % stay;
/// the model predicts the originals through BERT's prediction head (dense, GELU, LayerNorm, decoder tied to the word
/// embeddings). The head is new (our ONNX graphs do not carry one) and is dropped on export: the result is the
/// bi-encoder it started from, with continued-pretrained weights.
/// </summary>
public sealed class MaskedLanguageModel : TrainableModel
{
    /// <summary>Share of tokens chosen for prediction (BERT's 15 %).</summary>
    public const double MaskShare = 0.15;

    // BERT vocabularies keep ids below 999 for [PAD], [unusedN] and the special tokens: random replacements come from above.
    private const int FirstWordId = 999;

    private static readonly string[] s_specialTokens = ["[CLS]", "[SEP]", "[PAD]", "[MASK]"];

    private readonly BertEncoder _encoder;
    private readonly Linear _transform;
    private readonly LayerNorm _norm;
    private readonly Parameter _decoderBias;
    private readonly Pooling _pooling;
    private readonly long _maskId;
    private readonly HashSet<long> _special;
    private readonly Random _random;

    /// <summary>Wraps an encoder (the model owns it from now on).</summary>
    /// <param name="encoder">The encoder to pretrain.</param>
    /// <param name="pooling">Pooling of the dev score (cosine of sentence vectors, as the bi-encoder computes it).</param>
    /// <param name="vocabulary">Token strings by id: [MASK], [CLS], [SEP], [PAD] and [UNK] are looked up in it.</param>
    /// <param name="seed">Seed of the masking.</param>
    public MaskedLanguageModel(BertEncoder encoder, Pooling pooling, IReadOnlyList<string> vocabulary, int seed)
        : base(nameof(MaskedLanguageModel))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var ids = vocabulary.Select((token, id) => (token, id)).GroupBy(x => x.token).ToDictionary(g => g.Key, g => (long)g.First().id);
        _maskId = ids.TryGetValue("[MASK]", out var mask) ? mask : throw new ModelFormatException("the vocabulary has no [MASK] token");
        _special = new HashSet<long>(s_specialTokens.Where(ids.ContainsKey).Select(t => ids[t]));
        _encoder = encoder;
        _pooling = pooling;
        _random = new Random(seed);
        var hidden = encoder.Config.Hidden;
        _transform = nn.Linear(hidden, hidden);
        _norm = nn.LayerNorm([hidden], encoder.Config.LayerNormEps);
        _decoderBias = new Parameter(zeros(encoder.Config.VocabularySize));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BertEncoder Encoder => _encoder;

    /// <inheritdoc />
    public override bool SelectsEpochByDev => false;

    /// <summary>Loads the encoder of a bi-encoder model directory.</summary>
    /// <exception cref="ModelFormatException">The directory holds a cross-encoder or not a fp32 BERT.</exception>
    public static MaskedLanguageModel Load(ModelDirectory model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Config.Kind != ModelKind.BiEncoder)
        {
            throw new ModelFormatException($"{model.Path} is a {model.Config.Kind}; masked-language modelling continues a bi-encoder's pretraining");
        }

        return new MaskedLanguageModel(OnnxBertWeights.Load(model, options.Dropout, options.Layers), model.Config.Pooling, File.ReadAllLines(model.VocabPath), options.Seed);
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> HeadParameters() => _transform.parameters().Concat(_norm.parameters()).Append(_decoderBias);

    /// <inheritdoc />
    public override Tensor Loss(IReadOnlyList<TrainingPair> batch)
    {
        var texts = batch.SelectMany(p => new[] { p.QueryTokens, p.ProductTokens }).ToList();
        var (ids, attention) = TokenBatch.Single(texts);
        var length = (int)ids.shape[1];
        var input = ids.data<long>().ToArray();
        var positions = new List<long>();
        var targets = new List<long>();
        var vocabulary = _encoder.Config.VocabularySize;
        for (var i = 0; i < input.Length; i++)
        {
            var position = i % length;
            var text = texts[i / length];
            if (position >= text.Length || _special.Contains(input[i]) || _random.NextDouble() >= MaskShare)
            {
                continue;
            }

            positions.Add(i);
            targets.Add(input[i]);
            var roll = _random.NextDouble();
            input[i] = roll < 0.8 ? _maskId : roll < 0.9 ? _random.Next(Math.Min(FirstWordId, vocabulary - 1), vocabulary) : input[i];
        }

        if (positions.Count == 0)
        {
            // A batch of very short texts can draw no token: predict the first word of the first text instead.
            positions.Add(1);
            targets.Add(input[1]);
            input[1] = _maskId;
        }

        using var masked = tensor(input, ids.shape);
        var hidden = _encoder.forward(masked, attention).view(-1, _encoder.Config.Hidden).index_select(0, tensor(positions.ToArray()));
        var word = _encoder.NamedWeights().First().Parameter;
        var logits = _norm.forward(nn.functional.gelu(_transform.forward(hidden))).matmul(word.t()) + _decoderBias;
        return nn.functional.cross_entropy(logits, tensor(targets.ToArray()));
    }

    /// <inheritdoc />
    public override float[] Score(long[] query, IReadOnlyList<long[]> products) => BiEncoderModel.CosineScores(_encoder, _pooling, query, products);

    /// <inheritdoc />
    public override void Export(ModelDirectory baseModel, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        OnnxBertWeights.Export(_encoder, baseModel, Path.Combine(outputDirectory, ModelDirectory.ModelFile));
        File.Copy(baseModel.VocabPath, Path.Combine(outputDirectory, ModelDirectory.VocabFile), overwrite: true);
        ModelDirectory.WriteConfig(outputDirectory, baseModel.Config with { Name = baseModel.Config.Name + "-mlm" });
    }
}
