namespace SemanticMatch.Ranking;

/// <summary>
/// ranker.json of a ranker directory: the models whose scores it reads, its depth, features, calibration, feature
/// importances and what it was trained and measured on. The trees are in ordering.zip (LambdaMART) and relevance.zip
/// (least squares).
/// </summary>
public sealed record RankerManifest
{
    /// <summary>The format tag every manifest carries.</summary>
    public const string CurrentFormat = "semanticmatch-ranker/1";

    /// <summary>Format tag.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>When it was trained (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The bi-encoder of the first stage and of the dense features.</summary>
    public required ModelReference BiEncoder { get; init; }

    /// <summary>The cross-encoder whose scores are features, or null.</summary>
    public ModelReference? CrossEncoder { get; init; }

    /// <summary>How many first-stage (hybrid) results it orders.</summary>
    public int Depth { get; init; }

    /// <summary>Feature names in vector order (a ranker refuses to load when the code's features differ).</summary>
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Feature groups left out in training.</summary>
    public IReadOnlyList<FeatureGroup> Excluded { get; init; } = [];

    /// <summary>Relevance at or above which a pair counts as relevant (what the probability is the probability of).</summary>
    public double RelevantThreshold { get; init; }

    /// <summary>The lowest and highest relevance of the training labels (predicted relevance is clipped to them).</summary>
    public double ScaleMinimum { get; init; }

    /// <summary>See <see cref="ScaleMinimum"/>.</summary>
    public double ScaleMaximum { get; init; }

    /// <summary>Maps predicted relevance to the probability of relevance (fitted on dev).</summary>
    public required PlattCalibration Calibration { get; init; }

    /// <summary>Tree settings.</summary>
    public required TreeSettings Trees { get; init; }

    /// <summary>Whether the ordering trees learned from unjudged first-stage candidates as irrelevant.</summary>
    public bool UnjudgedAsIrrelevant { get; init; }

    /// <summary>ML.NET seed.</summary>
    public int Seed { get; init; }

    /// <summary>Each feature's share of the ordering trees' gain, largest first.</summary>
    public IReadOnlyList<FeatureImportance> Importance { get; init; } = [];

    /// <summary>What it was trained on and how it did on dev.</summary>
    public RankerTrainingReport? Training { get; init; }

    /// <summary>How <see cref="Trees"/> was chosen, when it was chosen by cross-validation over the train queries; otherwise null.</summary>
    public RankerCrossValidation? CrossValidation { get; init; }

    /// <summary>
    /// Train judgments described by their own models (cross-fitting; see <see cref="RankerPart"/>), besides those described by
    /// <see cref="BiEncoder"/> and <see cref="CrossEncoder"/>; empty when there were none.
    /// </summary>
    public IReadOnlyList<RankerPart> Parts { get; init; } = [];
}

/// <summary>A model a ranker reads scores from.</summary>
/// <param name="Model">As given when training (a bundled key such as "minilm-int8", or a directory's full path).</param>
/// <param name="Identity">The model's identity (weights and settings); a search with another model is warned about.</param>
public sealed record ModelReference(string Model, string Identity);

/// <summary>A feature's share of the total gain.</summary>
/// <param name="Feature">Its name.</param>
/// <param name="Share">Share in [0, 1].</param>
public sealed record FeatureImportance(string Feature, double Share);

/// <summary>Training counts and dev measurements.</summary>
/// <param name="TrainQueries">Train queries.</param>
/// <param name="TrainPairs">Judged train pairs (the rows the trees learn from).</param>
/// <param name="DevQueries">Dev queries.</param>
/// <param name="DevPairs">Judged dev pairs.</param>
/// <param name="Dev">Dev metrics of the ranker.</param>
/// <param name="DevFirstStage">Dev metrics of the first stage alone (hybrid), for comparison.</param>
/// <param name="CalibrationErrorHeldOut">ECE of probabilities on dev, each half of dev's queries calibrated on the other half.</param>
/// <param name="CalibrationErrorFitted">ECE on dev with the stored calibration (fitted on all of dev: optimistic).</param>
public sealed record RankerTrainingReport(int TrainQueries, int TrainPairs, int DevQueries, int DevPairs, RankerMetrics Dev,
    RankerMetrics DevFirstStage, double CalibrationErrorHeldOut, double CalibrationErrorFitted);

/// <summary>Metrics of one ranking of described queries (see docs/metrics.md).</summary>
/// <param name="Ndcg10">NDCG@10 over each query's judged products.</param>
/// <param name="Mrr10">MRR@10 of the full ranking (unjudged = not relevant).</param>
/// <param name="Recall10">Recall@10 of the full ranking.</param>
/// <param name="RocAuc">ROC-AUC of relevant vs not over judged pairs (probability, or the score when there is none).</param>
/// <param name="Rmse">RMSE of predicted relevance, or null.</param>
public sealed record RankerMetrics(double Ndcg10, double Mrr10, double Recall10, double? RocAuc, double? Rmse);

/// <summary>
/// A part of a ranker's train judgments described by models that were not fine-tuned on its queries (cross-fitting):
/// the ranker then learns from queries the served models were trained on, each seen through models for which it is new.
/// </summary>
/// <param name="Judgments">The part's judgments file, as given.</param>
/// <param name="BiEncoder">The bi-encoder of its first stage and dense features.</param>
/// <param name="CrossEncoder">Its cross-encoder, or null when the ranker has none.</param>
/// <param name="Queries">Its queries.</param>
/// <param name="Pairs">Its judged pairs.</param>
public sealed record RankerPart(string Judgments, ModelReference BiEncoder, ModelReference? CrossEncoder, int Queries, int Pairs);

/// <summary>One tree setting measured by cross-validation over the train queries.</summary>
/// <param name="Trees">The setting.</param>
/// <param name="Folds">Its metrics on each held-out fold, in fold order (the same folds for every setting).</param>
public sealed record CrossValidatedSetting(TreeSettings Trees, IReadOnlyList<RankerMetrics> Folds)
{
    /// <summary>Mean NDCG@10 over the folds.</summary>
    public double Ndcg10 => Folds.Average(f => f.Ndcg10);

    /// <summary>Mean MRR@10 over the folds.</summary>
    public double Mrr10 => Folds.Average(f => f.Mrr10);

    /// <summary>Mean RMSE of the predicted relevance over the folds.</summary>
    public double? Rmse => Folds.All(f => f.Rmse is not null) ? Folds.Average(f => f.Rmse!.Value) : null;
}

/// <summary>How a ranker's tree settings were chosen: every candidate's cross-validated metrics and the one kept.</summary>
/// <param name="FoldCount">Folds of the train queries.</param>
/// <param name="Settings">The candidates, as given.</param>
/// <param name="Chosen">The setting the ranker was trained with (by <c>RankerSelection.Choose</c> in SemanticMatch.Ranking.Training).</param>
public sealed record RankerCrossValidation(int FoldCount, IReadOnlyList<CrossValidatedSetting> Settings, TreeSettings Chosen);
