using SemanticMatch.Core;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.CrossEncoding;

/// <summary>
/// A cross-encoder: "[CLS] query [SEP] product [SEP]" (token types 0 then 1) through <see cref="BertEncoder"/>, then
/// Hugging Face's sequence-classification head on [CLS]: dense + tanh (the BERT pooler), dropout, a linear classifier.
/// Two labels (<see cref="Objective.Cross"/>): score = softmax probability of "relevant". One output
/// (<see cref="Objective.CrossGraded"/>): score = min + (max - min) * sigmoid(logit), a predicted relevance.
/// </summary>
public sealed class CrossEncoderModel : TrainableModel
{
    private readonly BertEncoder _encoder;
    private readonly Linear _pooler;
    private readonly Dropout _dropout;
    private readonly Linear _classifier;
    private readonly TrainingOptions _options;

    /// <summary>Puts a new head (pooler and classifier ~ N(0, 0.02), biases 0, as Hugging Face does) on an encoder it then owns.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="options">Objective <see cref="Objective.Cross"/> or <see cref="Objective.CrossGraded"/>, dropout, threshold.</param>
    /// <param name="relevanceRange">Lowest and highest relevance of the labels (the graded score's range).</param>
    public CrossEncoderModel(BertEncoder encoder, TrainingOptions options, (double Min, double Max) relevanceRange)
        : base(nameof(CrossEncoderModel))
    {
        if (!options.IsCrossEncoder)
        {
            throw new ArgumentException($"{options.Objective} trains a bi-encoder, not a cross-encoder", nameof(options));
        }

        if (!(relevanceRange.Max > relevanceRange.Min))
        {
            throw new InvalidRequestException($"relevance range [{relevanceRange.Min}, {relevanceRange.Max}] is empty: the labels must differ");
        }

        _encoder = encoder;
        _options = options;
        RelevanceRange = relevanceRange;
        var hidden = encoder.Config.Hidden;
        _pooler = nn.Linear(hidden, hidden);
        _dropout = nn.Dropout(options.Dropout);
        _classifier = nn.Linear(hidden, Labels);
        using (no_grad())
        {
            foreach (var linear in new[] { _pooler, _classifier })
            {
                nn.init.normal_(linear.weight!, 0, 0.02);
                nn.init.zeros_(linear.bias!);
            }
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override BertEncoder Encoder => _encoder;

    /// <summary>Outputs of the classifier: 2 (irrelevant, relevant) or 1 (graded).</summary>
    public int Labels => Graded ? 1 : 2;

    /// <summary>Whether the score is a predicted relevance (else a probability).</summary>
    public bool Graded => _options.Objective is Objective.CrossGraded or Objective.CrossRanked;

    /// <inheritdoc />
    public override bool QueryBatches => _options.Objective == Objective.CrossRanked;

    /// <summary>The relevance scale the graded score maps onto.</summary>
    public (double Min, double Max) RelevanceRange { get; }

    /// <summary>The pooler (dense + tanh on [CLS]).</summary>
    public Linear Pooler => _pooler;

    /// <summary>The classifier.</summary>
    public Linear Classifier => _classifier;

    /// <summary>
    /// Starts from a model directory: a bi-encoder gives the encoder (and its BERT pooler, when the graph has one) and a
    /// new classifier; a cross-encoder of the same kind continues with its head.
    /// </summary>
    /// <exception cref="ModelFormatException">The directory holds a cross-encoder with the other head, or not a fp32 BERT.</exception>
    public static CrossEncoderModel Load(ModelDirectory model, TrainingOptions options, (double Min, double Max) relevanceRange)
    {
        var graph = OnnxBertWeights.ReadGraph(model);
        var result = new CrossEncoderModel(OnnxBertWeights.Load(model, graph, options.Dropout, options.Layers), options, relevanceRange);
        if (model.Config.Kind == ModelKind.CrossEncoder)
        {
            var score = result.Graded ? CrossEncoderScore.Relevance : CrossEncoderScore.Probability;
            if (model.Config.Score != score)
            {
                throw new ModelFormatException($"{model.Path} is a cross-encoder scoring {model.Config.Score}; {options.Objective} trains one scoring {score}");
            }

            CrossEncoderGraph.ReadHead(graph, result);
        }
        else
        {
            CrossEncoderGraph.ReadBertPooler(graph, result);
        }

        return result;
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> HeadParameters() => _pooler.parameters().Concat(_classifier.parameters());

    /// <summary>Classifier logits [batch, labels] of (query, product) token pairs.</summary>
    public Tensor Logits(IReadOnlyList<(long[] Query, long[] Product)> pairs)
    {
        var (ids, mask, types) = TokenBatch.Pairs(pairs);
        using (ids)
        using (mask)
        using (types)
        {
            var cls = _encoder.ForwardPairs(ids, mask, types)[TensorIndex.Colon, 0];
            return _classifier.forward(_dropout.forward(_pooler.forward(cls).tanh()));
        }
    }

    /// <summary>Scores [batch] from logits, exactly as the exported graph computes them.</summary>
    public Tensor Scores(Tensor logits) => Graded
        ? logits[TensorIndex.Colon, 0].sigmoid() * (float)(RelevanceRange.Max - RelevanceRange.Min) + (float)RelevanceRange.Min
        : logits.softmax(1)[TensorIndex.Colon, 1];

    /// <inheritdoc />
    public override Tensor Loss(IReadOnlyList<TrainingPair> batch)
    {
        var logits = Logits(batch.Select(p => (p.QueryTokens, p.ProductTokens)).ToList());
        if (Graded)
        {
            var span = RelevanceRange.Max - RelevanceRange.Min;
            // With a teacher, its predicted relevance is the target (distillation), not the label.
            var targets = batch.Select(p => (float)Math.Clamp(((p.Teacher ?? p.Relevance) - RelevanceRange.Min) / span, 0, 1)).ToArray();
            var pointwise = nn.functional.binary_cross_entropy_with_logits(logits[TensorIndex.Colon, 0], tensor(targets));
            return QueryBatches && RankingLoss(batch, logits[TensorIndex.Colon, 0]) is { } pairwise ? pointwise + pairwise : pointwise;
        }

        var labels = batch.Select(p => p.Relevance >= _options.RelevantThreshold ? 1L : 0L).ToArray();
        return nn.functional.cross_entropy(logits, tensor(labels));
    }

    /// <summary>
    /// RankNet inside each query of the batch: for products i, j of one query with relevance r_i &gt; r_j, the logistic loss
    /// log(1 + exp(-(s_i - s_j))) on their logits, weighted by |2^(r_i - min) - 2^(r_j - min)| and averaged by the weights;
    /// null when no query of the batch has two products of different relevance.
    /// </summary>
    private Tensor? RankingLoss(IReadOnlyList<TrainingPair> batch, Tensor logits)
    {
        var better = new List<long>();
        var worse = new List<long>();
        var weights = new List<float>();
        foreach (var query in batch.Select((p, i) => (Pair: p, Index: (long)i)).GroupBy(x => x.Pair.Query, StringComparer.Ordinal))
        {
            foreach (var a in query)
            {
                foreach (var b in query.Where(b => b.Pair.Relevance < a.Pair.Relevance))
                {
                    better.Add(a.Index);
                    worse.Add(b.Index);
                    weights.Add((float)Math.Abs(Math.Pow(2, a.Pair.Relevance - RelevanceRange.Min) - Math.Pow(2, b.Pair.Relevance - RelevanceRange.Min)));
                }
            }
        }

        if (better.Count == 0)
        {
            return null;
        }

        var difference = logits.index_select(0, tensor(better.ToArray())) - logits.index_select(0, tensor(worse.ToArray()));
        var weight = tensor(weights.ToArray());
        return (nn.functional.softplus(-difference) * weight).sum() / weight.sum();
    }

    /// <inheritdoc />
    public override float[] Score(long[] query, IReadOnlyList<long[]> products)
    {
        using var scope = NewDisposeScope();
        return Scores(Logits(products.Select(p => (query, p)).ToList())).data<float>().ToArray();
    }

    /// <inheritdoc />
    public override void Export(ModelDirectory baseModel, string outputDirectory)
    {
        var graph = OnnxBertWeights.ReadGraph(baseModel);
        OnnxBertWeights.WriteWeights(_encoder, graph);
        CrossEncoderGraph.WriteHead(graph, baseModel.Config, this);
        OnnxBertWeights.Save(graph, Path.Combine(outputDirectory, ModelDirectory.ModelFile));
        File.Copy(baseModel.VocabPath, Path.Combine(outputDirectory, ModelDirectory.VocabFile), overwrite: true);
        var name = baseModel.Config.Kind == ModelKind.CrossEncoder ? baseModel.Config.Name : baseModel.Config.Name + "-ce";
        ModelDirectory.WriteConfig(outputDirectory, baseModel.Config with
        {
            Name = LayerPruning.Named(name, _options.Layers),
            Kind = ModelKind.CrossEncoder,
            Output = CrossEncoderGraph.ScoreOutput,
            MaxQueryLength = _options.MaxQueryLength,
            MaxLength = _options.MaxQueryLength + _options.MaxProductLength - 1,
            Score = Graded ? CrossEncoderScore.Relevance : CrossEncoderScore.Probability,
            QueryPrefix = string.Empty,
            DocumentPrefix = string.Empty,
        });
    }
}
