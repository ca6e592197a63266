using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;
using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Workflow;

/// <summary>What one training run reads and writes (see <see cref="TrainingWorkflow.Run"/>).</summary>
public sealed record TrainingRun
{
    /// <summary>Every product the judgments name.</summary>
    public required IReadOnlyList<Product> Products { get; init; }

    /// <summary>Training judgments.</summary>
    public required IReadOnlyList<Judgment> Train { get; init; }

    /// <summary>Dev judgments, scored after every epoch (the best epoch is kept).</summary>
    public required IReadOnlyList<Judgment> Dev { get; init; }

    /// <summary>The model to start from: a bundled key or a model directory.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Where the trained model is written (with its checkpoints while training).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="OutputDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// The product fields (and normalisation) the model learns from: those the collection or index that will use the
    /// model embeds, so it is trained on the texts it will see.
    /// </summary>
    public ProductText Text { get; init; } = ProductText.Default;

    /// <summary>zh: add the training texts' CJK characters the vocabulary lacks; en: never; auto: when they are at least <see cref="TrainingWorkflow.AutoShare"/> of the text.</summary>
    public TextLanguage Language { get; init; } = TextLanguage.Auto;

    /// <summary>How added characters' embedding rows start.</summary>
    public NewTokenInit VocabularyInit { get; init; } = NewTokenInit.Random;

    /// <summary>Objective, schedule, negatives, augmentation, teacher.</summary>
    public TrainingOptions Options { get; init; } = new();
}
