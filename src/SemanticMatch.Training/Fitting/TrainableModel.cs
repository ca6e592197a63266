using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>
/// What <see cref="FineTuner"/> trains: a <see cref="BertEncoder"/> plus whatever sits on it (pooling and the BCE
/// scale for a bi-encoder, a classification head for a cross-encoder). Checkpoints hold the whole module.
/// </summary>
public abstract class TrainableModel : nn.Module
{
    /// <summary>Registers nothing itself; derived classes call RegisterComponents.</summary>
    protected TrainableModel(string name)
        : base(name)
    {
    }

    /// <summary>The transformer (frozen layers and LoRA adapters apply to it).</summary>
    public abstract BertEncoder Encoder { get; }

    /// <summary>Whether batches must not repeat a query or product (in-batch negatives).</summary>
    public virtual bool DistinctBatches => false;

    /// <summary>Whether a batch must hold whole queries (for losses that compare a query's products with each other).</summary>
    public virtual bool QueryBatches => false;

    /// <summary>
    /// Whether the dev metric picks the epoch kept (early stopping); when false the last epoch is kept and the dev
    /// metric is only reported (masked-language modelling: the matching metric is not what it optimises).
    /// </summary>
    public virtual bool SelectsEpochByDev => true;

    /// <summary>Parameters outside the encoder that are trained even when the encoder is frozen or adapted.</summary>
    public abstract IEnumerable<Parameter> HeadParameters();

    /// <summary>The pairs the objective learns from (MNRL keeps positives only).</summary>
    public virtual IReadOnlyList<TrainingPair> UsablePairs(IReadOnlyList<TrainingPair> pairs) => pairs;

    /// <summary>The objective's loss on one batch (a scalar with gradients).</summary>
    public abstract Tensor Loss(IReadOnlyList<TrainingPair> batch);

    /// <summary>Relevance scores of products for a query, in eval mode without gradients (higher = more relevant).</summary>
    public abstract float[] Score(long[] query, IReadOnlyList<long[]> products);

    /// <summary>Writes the model directory: the base graph with the trained weights (and head), vocabulary and config.</summary>
    public abstract void Export(ModelDirectory baseModel, string outputDirectory);
}
