using System.Text.Json.Serialization;
using SemanticMatch.Core;

namespace SemanticMatch.Training.Fitting;

/// <summary>Training objective: four for a bi-encoder, three for a cross-encoder, and masked-language modelling.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Objective>))]
public enum Objective
{
    /// <summary>
    /// Binary cross-entropy on S(q, d) mapped to (0, 1) by sigmoid(a * cos + b) with learned scale a and bias b;
    /// label = relevance &gt;= threshold (the source design's loss).
    /// </summary>
    Bce,

    /// <summary>Multiple-negatives ranking (InfoNCE): each relevant pair against the other products of the batch.</summary>
    Mnrl,

    /// <summary>CoSENT: every pair of pairs in a batch ordered by graded relevance (uses the relevance values).</summary>
    Cosent,

    /// <summary>
    /// Distillation (Margin-MSE, Hofstätter et al. 2020): a bi-encoder learns a teacher cross-encoder's score
    /// differences between the products of a query — a * (cos(q, p_i) - cos(q, p_j)) against teacher(q, p_i) -
    /// teacher(q, p_j) with a learned scale a — so the cheap single-stage path orders a query's products as the re-ranker
    /// does. Needs <see cref="TrainingOptions.Teacher"/>; batches hold whole queries.
    /// </summary>
    Distil,

    /// <summary>
    /// Listwise (ListNet's top-one cross-entropy): for each query of a batch, softmax of scale * cos over the batch's
    /// products against a target that spreads the query's probability over its own judged products in proportion to
    /// exp(relevance) — graded, so a perfect match outweighs a partial one — and gives the other queries' products none
    /// (in-batch negatives, as MNRL). Batches hold whole queries.
    /// </summary>
    Listwise,

    /// <summary>
    /// Cross-encoder, the source's BertForSequenceClassification with 2 labels: "query [SEP] product" through BERT, a
    /// tanh pooler and a 2-way classifier on [CLS], softmax cross-entropy against relevance &gt;= threshold.
    /// </summary>
    Cross,

    /// <summary>
    /// Cross-encoder with one output: sigmoid(logit) scaled to the training labels' relevance range, trained by
    /// binary cross-entropy against the relevance rescaled to [0, 1] (predicts graded relevance; RMSE is reported).
    /// </summary>
    CrossGraded,

    /// <summary>
    /// <see cref="CrossGraded"/>'s head and pointwise loss plus a pairwise ranking loss inside each query: batches hold
    /// whole queries, and every pair of a query's products with different relevance adds RankNet's logistic loss on
    /// their logit difference, weighted by the difference of their NDCG gains (2^(relevance - min) - 1), so the order of
    /// a query's products is learned, not only each product's level.
    /// </summary>
    CrossRanked,

    /// <summary>
    /// Continued pretraining by masked-language modelling on the pairs' texts (labels unused); writes a bi-encoder to
    /// fine-tune next (see <see cref="MaskedLanguageModel"/>).
    /// </summary>
    Mlm,
}

/// <summary>Optimizer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,

    /// <summary>SGD with momentum 0.9.</summary>
    Sgd,
}

/// <summary>The dev metric that picks the best epoch and stops training early.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DevMetric>))]
public enum DevMetric
{
    /// <summary>By the dev data's shape: <see cref="Ndcg"/> when dev queries have two or more judged products on average, else <see cref="Auc"/>.</summary>
    Auto,

    /// <summary>Re-ranking NDCG@10 over each dev query's judged products (ranking data).</summary>
    Ndcg,

    /// <summary>ROC-AUC of the score for relevant (relevance &gt;= threshold) vs not, over all dev pairs (pair data: about one product a query).</summary>
    Auc,

    /// <summary>Accuracy of relevant vs not at the score cut that is best on dev, over all dev pairs.</summary>
    Accuracy,
}

/// <summary>Every hyper-parameter of a training run; all are on the command line and recorded with the model.</summary>
public sealed record TrainingOptions
{
    /// <summary>Objective.</summary>
    public Objective Objective { get; init; } = Objective.Mnrl;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Pairs per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Weight decay (AdamW: decoupled; SGD: L2).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Dropout probability inside the encoder while training.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Share of all steps spent warming the learning rate up linearly; it then decays linearly to 0.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>Gradient clipping by global norm (0 = off).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Epochs without dev NDCG@10 improvement before stopping.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Seed of shuffling, dropout and adapter initialisation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Freeze the embeddings and the bottom N layers (0 = embeddings only; -1 = nothing frozen).</summary>
    public int FreezeLayers { get; init; } = -1;

    /// <summary>
    /// Transformer layers the trained model keeps of its base's (layer pruning, <see cref="Bert.LayerPruning"/>);
    /// 0 keeps all.
    /// </summary>
    public int Layers { get; init; }

    /// <summary>LoRA rank on the query/key/value projections (0 = full fine-tuning).</summary>
    public int LoraRank { get; init; }

    /// <summary>LoRA alpha (scale = alpha / rank).</summary>
    public double LoraAlpha { get; init; } = 16;

    /// <summary>Token limit for queries.</summary>
    public int MaxQueryLength { get; init; } = 32;

    /// <summary>Token limit for products.</summary>
    public int MaxProductLength { get; init; } = 64;

    /// <summary>Relevance at or above which a pair is a positive (BCE labels, MNRL positives).</summary>
    public double RelevantThreshold { get; init; } = 2.5;

    /// <summary>Whether MNRL batches carry one mined hard negative per positive (see <see cref="TrainingData.WithHardNegatives"/>).</summary>
    public bool HardNegatives { get; init; }

    /// <summary>Random unjudged products added per training query at the lowest relevance (see <see cref="TrainingData.WithRandomNegatives"/>).</summary>
    public int RandomNegatives { get; init; }

    /// <summary>The dev metric that selects the epoch (see <see cref="DevMetric"/>).</summary>
    public DevMetric SelectBy { get; init; } = DevMetric.Auto;

    /// <summary>
    /// Peak learning rate of the word embedding matrix, when it differs from <see cref="LearningRate"/>: rows added
    /// by a vocabulary extension start from nothing and need larger steps than pretrained weights (null = the same).
    /// </summary>
    public double? EmbeddingLearningRate { get; init; }

    /// <summary>
    /// The cross-encoder whose scores <see cref="Objective.Distil"/> learns, or whose predicted relevance
    /// <see cref="Objective.CrossGraded"/> learns instead of the labels (distilling a re-ranker into a smaller, pruned
    /// one); a model argument, recorded with the model.
    /// </summary>
    public string? Teacher { get; init; }

    /// <summary>Query rewrites added to the training judgments (see <see cref="Augmenting.QueryAugmenter"/>).</summary>
    public IReadOnlyList<Augmenting.Augmentation> Augmentations { get; init; } = [];

    /// <summary>Probability that a query gets a rewritten copy, per augmentation.</summary>
    public double AugmentRate { get; init; } = 0.5;

    /// <summary>Similarity scale of MNRL and CoSENT (inverse temperature).</summary>
    public double Scale { get; init; } = 20;

    /// <summary>Whether the objective trains a cross-encoder.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCrossEncoder => Objective is Objective.Cross or Objective.CrossGraded or Objective.CrossRanked;

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        { LearningRate: <= 0 } => new(nameof(LearningRate), "must be positive"),
        { EmbeddingLearningRate: <= 0 } => new(nameof(EmbeddingLearningRate), "must be positive"),
        { BatchSize: < 2 } => new(nameof(BatchSize), "must be at least 2"),
        { Epochs: < 1 } => new(nameof(Epochs), "must be at least 1"),
        { WeightDecay: < 0 } => new(nameof(WeightDecay), "must be >= 0"),
        { Dropout: < 0 or >= 1 } => new(nameof(Dropout), "must be in [0, 1)"),
        { WarmupRatio: < 0 or > 1 } => new(nameof(WarmupRatio), "must be in [0, 1]"),
        { MaxGradNorm: < 0 } => new(nameof(MaxGradNorm), "must be >= 0"),
        { Patience: < 1 } => new(nameof(Patience), "must be at least 1"),
        { Layers: < 0 } => new(nameof(Layers), "must be >= 0 (0 keeps all)"),
        { LoraRank: < 0 } => new(nameof(LoraRank), "must be >= 0"),
        { LoraAlpha: <= 0 } => new(nameof(LoraAlpha), "must be positive"),
        { FreezeLayers: < -1 } => new(nameof(FreezeLayers), "must be -1 (none), 0 (embeddings) or a layer count"),
        { MaxQueryLength: < 3 } => new(nameof(MaxQueryLength), "must be at least 3 tokens"),
        { MaxProductLength: < 3 } => new(nameof(MaxProductLength), "must be at least 3 tokens"),
        { HardNegatives: true, Objective: not Objective.Mnrl } => new(nameof(HardNegatives), "need the mnrl objective"),
        { RandomNegatives: < 0 } => new(nameof(RandomNegatives), "must be >= 0"),
        { RandomNegatives: > 0, Objective: Objective.Mnrl } => new(nameof(RandomNegatives),
            "need an objective that learns from irrelevant pairs (bce, cosent, distil, listwise, cross, cross-graded, cross-ranked)"),
        { Objective: Objective.Distil, Teacher: null } => new(nameof(Teacher), "is required by the distil objective"),
        { Teacher: not null, Objective: not (Objective.Distil or Objective.CrossGraded) } => new(nameof(Teacher), "needs the distil or cross-graded objective"),
        { AugmentRate: <= 0 or > 1 } => new(nameof(AugmentRate), "must be in (0, 1]"),
        _ => null,
    };
}
