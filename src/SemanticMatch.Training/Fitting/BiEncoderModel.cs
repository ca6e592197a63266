using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>
/// A bi-encoder under training: <see cref="BertEncoder"/> + the model's pooling, L2-normalised, with the objective's
/// loss (MNRL, BCE on sigmoid(a * cos + b) with learned a and b, CoSENT, Margin-MSE distillation with learned a, or listwise).
/// </summary>
public sealed class BiEncoderModel : TrainableModel
{
    private readonly BertEncoder _encoder;
    private readonly Parameter _scale;
    private readonly Parameter _bias;
    private readonly Pooling _pooling;
    private readonly TrainingOptions _options;

    /// <summary>Wraps an encoder (the model owns it from now on).</summary>
    public BiEncoderModel(BertEncoder encoder, Pooling pooling, TrainingOptions options)
        : base(nameof(BiEncoderModel))
    {
        if (options.IsCrossEncoder)
        {
            throw new ArgumentException($"{options.Objective} trains a cross-encoder, not a bi-encoder", nameof(options));
        }

        _encoder = encoder;
        _pooling = pooling;
        _options = options;
        _scale = new Parameter(tensor(10f), requires_grad: options.Objective is Objective.Bce or Objective.Distil);
        _bias = new Parameter(tensor(-5f), requires_grad: options.Objective == Objective.Bce);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override BertEncoder Encoder => _encoder;

    /// <inheritdoc />
    public override bool DistinctBatches => _options.Objective == Objective.Mnrl;

    /// <inheritdoc />
    public override bool QueryBatches => _options.Objective is Objective.Distil or Objective.Listwise;

    /// <summary>Loads the encoder of a bi-encoder model directory.</summary>
    /// <exception cref="ModelFormatException">The directory holds a cross-encoder or not a fp32 BERT.</exception>
    public static BiEncoderModel Load(ModelDirectory model, TrainingOptions options)
    {
        if (model.Config.Kind != ModelKind.BiEncoder)
        {
            throw new ModelFormatException($"{model.Path} is a {model.Config.Kind}; {options.Objective} trains a bi-encoder, so start from a bi-encoder");
        }

        return new BiEncoderModel(OnnxBertWeights.Load(model, options.Dropout, options.Layers), model.Config.Pooling, options);
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> HeadParameters() => _options.Objective switch
    {
        Objective.Bce => [_scale, _bias],
        Objective.Distil => [_scale],
        _ => [],
    };

    /// <inheritdoc />
    public override IReadOnlyList<TrainingPair> UsablePairs(IReadOnlyList<TrainingPair> pairs) => _options.Objective switch
    {
        Objective.Mnrl => pairs.Where(p => p.Relevance >= _options.RelevantThreshold).ToList(),
        Objective.Distil => pairs.Where(p => p.Teacher is not null).ToList(),
        _ => pairs,
    };

    /// <inheritdoc />
    public override Tensor Loss(IReadOnlyList<TrainingPair> batch)
    {
        if (_options.Objective == Objective.Listwise)
        {
            // Each query once, in the order of its id (ids number queries by first appearance).
            var ids = QueryIds(batch);
            var queryTokens = batch.DistinctBy(p => p.Query, StringComparer.Ordinal).Select(p => p.QueryTokens).ToList();
            return Losses.Listwise(Embed(queryTokens), Embed(batch.Select(p => p.ProductTokens).ToList()),
                tensor(batch.Select(p => (float)p.Relevance).ToArray()), tensor(ids), _options.Scale);
        }

        var queries = Embed(batch.Select(p => p.QueryTokens).ToList());
        var products = Embed(batch.Select(p => p.ProductTokens).ToList());
        return _options.Objective switch
        {
            Objective.Mnrl => Losses.MultipleNegativesRanking(queries, products, _options.Scale,
                batch.All(p => p.NegativeTokens is not null) ? Embed(batch.Select(p => p.NegativeTokens!).ToList()) : null),
            Objective.Distil => Losses.MarginMse(queries, products, tensor(batch.Select(p => (float)p.Teacher!.Value).ToArray()),
                tensor(QueryIds(batch)), _scale),
            Objective.Bce => Losses.BinaryCrossEntropy(queries, products,
                tensor(batch.Select(p => p.Relevance >= _options.RelevantThreshold ? 1f : 0f).ToArray()), _scale, _bias),
            _ => Losses.Cosent(queries, products, tensor(batch.Select(p => (float)p.Relevance).ToArray()), _options.Scale),
        };
    }

    // The position of each pair's query among the batch's queries.
    private static long[] QueryIds(IReadOnlyList<TrainingPair> batch)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        return batch.Select(p => ids.TryGetValue(p.Query, out var id) ? id : ids[p.Query] = ids.Count).ToArray();
    }

    /// <inheritdoc />
    public override float[] Score(long[] query, IReadOnlyList<long[]> products) => CosineScores(_encoder, _pooling, query, products);

    /// <summary>Pooled, L2-normalised embeddings of token sequences (padded to the longest).</summary>
    public Tensor Embed(IReadOnlyList<long[]> sequences) => Embed(_encoder, _pooling, sequences);

    /// <summary>Cosine of each product's sentence vector with the query's (eval mode is the caller's).</summary>
    internal static float[] CosineScores(BertEncoder encoder, Pooling pooling, long[] query, IReadOnlyList<long[]> products)
    {
        using var scope = NewDisposeScope();
        var q = Embed(encoder, pooling, [query]);
        var p = Embed(encoder, pooling, products);
        return p.matmul(q.t()).squeeze(1).data<float>().ToArray();
    }

    /// <summary>Sentence vectors of <paramref name="encoder"/> under <paramref name="pooling"/>, L2-normalised.</summary>
    internal static Tensor Embed(BertEncoder encoder, Pooling pooling, IReadOnlyList<long[]> sequences)
    {
        var (ids, mask) = TokenBatch.Single(sequences);
        using (ids)
        using (mask)
        {
            var hidden = encoder.forward(ids, mask);
            var m = mask.unsqueeze(-1).to_type(ScalarType.Float32);
            var pooled = pooling switch
            {
                Pooling.Cls => hidden[TensorIndex.Colon, 0],
                Pooling.Max => (hidden + (1 - m) * -1e9f).amax([1]),
                _ => (hidden * m).sum(1) / m.sum(1),
            };
            return nn.functional.normalize(pooled, p: 2, dim: 1);
        }
    }

    /// <inheritdoc />
    public override void Export(ModelDirectory baseModel, string outputDirectory)
    {
        OnnxBertWeights.Export(_encoder, baseModel, Path.Combine(outputDirectory, ModelDirectory.ModelFile));
        File.Copy(baseModel.VocabPath, Path.Combine(outputDirectory, ModelDirectory.VocabFile), overwrite: true);
        ModelDirectory.WriteConfig(outputDirectory, baseModel.Config with { Name = LayerPruning.Named(baseModel.Config.Name + "-ft", _options.Layers) });
    }
}
