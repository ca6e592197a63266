using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Search;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Ranking.Training;

/// <summary>Settings of <see cref="RankerTrainer"/>.</summary>
public sealed record RankerTrainingOptions
{
    /// <summary>Tree settings of both models.</summary>
    public TreeSettings Trees { get; init; } = new();

    /// <summary>Feature groups to leave out.</summary>
    public IReadOnlySet<FeatureGroup> Excluded { get; init; } = new HashSet<FeatureGroup>();

    /// <summary>Relevance at or above which a pair is relevant.</summary>
    public double RelevantThreshold { get; init; } = 2.5;

    /// <summary>Seed of ML.NET.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Whether the ordering trees also learn from each train query's unjudged first-stage candidates, as irrelevant (the
    /// lowest level): the order a search shows mixes judged and unjudged products. The relevance trees learn from judged
    /// pairs only.
    /// </summary>
    public bool UnjudgedAsIrrelevant { get; init; }

    /// <summary>
    /// The cross-fitted parts among the train queries, recorded in the manifest (the trees learn from every train query
    /// alike, however it was described).
    /// </summary>
    public IReadOnlyList<RankerPart> Parts { get; init; } = [];
}

/// <summary>A ranker just trained, before it is written.</summary>
public sealed class TrainedRanker
{
    internal TrainedRanker(RankerManifest manifest, TreeModel ordering, TreeModel relevance, IReadOnlyList<ReliabilityBin> heldOutCurve)
    {
        Manifest = manifest;
        Ordering = ordering;
        Relevance = relevance;
        HeldOutCurve = heldOutCurve;
    }

    /// <summary>Its manifest (with the dev report).</summary>
    public RankerManifest Manifest { get; }

    /// <summary>The reliability curve on dev, each half calibrated on the other.</summary>
    public IReadOnlyList<ReliabilityBin> HeldOutCurve { get; }

    internal TreeModel Ordering { get; }

    internal TreeModel Relevance { get; }

    /// <summary>The ranker, ready to score (without writing it).</summary>
    public LearnedRanker AsRanker() => new(Manifest, Ordering, Relevance, "ranker:unsaved");

    internal TrainedRanker With(RankerManifest manifest) => new(manifest, Ordering, Relevance, HeldOutCurve);
}

/// <summary>
/// Trains a ranker on described judged queries (<see cref="RankingCatalogue.DescribeAsync"/>): LambdaMART (ML.NET FastTree
/// ranking, NDCG gains matching our metric) on the train queries' judged products, grouped by query; least-squares trees
/// for the relevance; Platt calibration of that relevance on dev. Dev is used for the calibration and the report only.
/// </summary>
public static class RankerTrainer
{
    /// <summary>Trains and measures a ranker.</summary>
    /// <param name="train">Described train queries (judged products of queries the feature models did not train on, ideally).</param>
    /// <param name="dev">Described dev queries.</param>
    /// <param name="depth">The depth they were described at.</param>
    /// <param name="biEncoder">The bi-encoder they were described with.</param>
    /// <param name="crossEncoder">The cross-encoder, or null.</param>
    /// <param name="options">Settings.</param>
    /// <exception cref="InvalidRequestException">No train or dev pairs, or dev lacks relevant or irrelevant pairs (nothing to calibrate on).</exception>
    public static TrainedRanker Train(IReadOnlyList<JudgedQuerySignals> train, IReadOnlyList<JudgedQuerySignals> dev, int depth,
        ModelReference biEncoder, ModelReference? crossEncoder, RankerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Count == 0 || dev.Count == 0)
        {
            throw new InvalidRequestException("training a ranker needs train and dev queries");
        }

        var devLabels = dev.SelectMany(q => q.Judged).Select(j => j.Relevance >= options.RelevantThreshold).Distinct().Count();
        if (devLabels < 2)
        {
            throw new InvalidRequestException(
                $"dev needs relevant and irrelevant pairs (relevance >= {options.RelevantThreshold} and below) to calibrate probabilities on; it has only one kind");
        }

        var excluded = new HashSet<FeatureGroup>(options.Excluded);
        if (crossEncoder is null)
        {
            excluded.Add(FeatureGroup.Cross);
        }

        var labels = train.SelectMany(q => q.Judged).Select(j => j.Relevance).ToList();
        var (minimum, maximum) = (labels.Min(), labels.Max());
        var levels = new RelevanceLevels(minimum, maximum);
        var rows = new List<FeatureRow>();
        var regressionRows = new List<FeatureRow>();
        for (var q = 0; q < train.Count; q++)
        {
            var query = train[q];
            var features = RankingFeatures.Of(query.Signals, query.Judged.Select(j => j.Signals).ToList(), excluded);
            for (var i = 0; i < features.Length; i++)
            {
                rows.Add(new FeatureRow { Group = (uint)q, Label = levels.Of(query.Judged[i].Relevance), Features = features[i] });
                regressionRows.Add(new FeatureRow { Group = (uint)q, Label = (float)query.Judged[i].Relevance, Features = features[i] });
            }

            if (options.UnjudgedAsIrrelevant)
            {
                var judgedIds = query.Judged.Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
                var unjudged = query.Signals.Candidates.Where(c => !judgedIds.Contains(c.Id)).ToList();
                rows.AddRange(RankingFeatures.Of(query.Signals, unjudged, excluded).Select(f => new FeatureRow { Group = (uint)q, Label = 0, Features = f }));
            }
        }

        var ordering = TreeTraining.TrainRanking(rows, levels.Gains, options.Trees, options.Seed);
        var relevance = TreeTraining.TrainRegression(regressionRows, options.Trees, options.Seed);
        var names = RankingFeatures.All.Select(f => f.Name).ToList();
        var importance = ordering.Importance();
        var total = Math.Max(importance.Sum(), 1e-12f);
        var manifest = new RankerManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            BiEncoder = biEncoder,
            CrossEncoder = crossEncoder,
            Depth = depth,
            Features = names,
            Excluded = [.. excluded.Order()],
            RelevantThreshold = options.RelevantThreshold,
            ScaleMinimum = minimum,
            ScaleMaximum = maximum,
            Calibration = new PlattCalibration(-1, 0), // replaced below, once dev is scored
            Trees = options.Trees,
            Seed = options.Seed,
            UnjudgedAsIrrelevant = options.UnjudgedAsIrrelevant,
            Parts = options.Parts,
            Importance = importance.Select((w, i) => new FeatureImportance(names[i], w / total))
                .Where(f => f.Share > 0).OrderByDescending(f => f.Share).ToList(),
        };

        // Calibrate on dev: the stored calibration on all of dev; the reported error with each half calibrated on the other.
        var uncalibrated = new TrainedRanker(manifest, ordering, relevance, []).AsRanker();
        var devScores = dev.Select(q => uncalibrated.Score(q.Signals, q.Judged.Select(j => j.Signals).ToList())).ToList();
        var devPredicted = devScores.SelectMany(s => s.Select(x => x.Relevance)).ToList();
        var devRelevant = dev.SelectMany(q => q.Judged.Select(j => j.Relevance >= options.RelevantThreshold)).ToList();
        var calibration = PlattFitting.Fit(devPredicted, devRelevant);
        var heldOut = HeldOutProbabilities(dev, devScores, options.RelevantThreshold);
        manifest = manifest with { Calibration = calibration };
        var ranker = new TrainedRanker(manifest, ordering, relevance, []).AsRanker();
        var fitted = devPredicted.Select(calibration.Probability).ToList();
        var report = new RankerTrainingReport(train.Count, regressionRows.Count, dev.Count, devPredicted.Count,
            RankerEvaluation.Measure(dev, ranker, options.RelevantThreshold, minimum),
            RankerEvaluation.Measure(dev, null, options.RelevantThreshold, minimum),
            Reliability.ExpectedCalibrationError(heldOut.Probabilities, heldOut.Relevant),
            Reliability.ExpectedCalibrationError(fitted, devRelevant));
        return new TrainedRanker(manifest with { Training = report }, ordering, relevance, Reliability.Curve(heldOut.Probabilities, heldOut.Relevant));
    }

    // Dev queries split by position (even / odd); each half's probabilities come from a calibration fitted on the other.
    private static (List<float> Probabilities, List<bool> Relevant) HeldOutProbabilities(IReadOnlyList<JudgedQuerySignals> dev,
        List<IReadOnlyList<RankerScore>> scores, double threshold)
    {
        var probabilities = new List<float>();
        var relevant = new List<bool>();
        for (var half = 0; half < 2; half++)
        {
            var fit = Enumerable.Range(0, dev.Count).Where(q => q % 2 != half).ToList();
            var apply = Enumerable.Range(0, dev.Count).Where(q => q % 2 == half).ToList();
            var calibration = PlattFitting.Fit(
                fit.SelectMany(q => scores[q].Select(s => s.Relevance)).ToList(),
                fit.SelectMany(q => dev[q].Judged.Select(j => j.Relevance >= threshold)).ToList());
            probabilities.AddRange(apply.SelectMany(q => scores[q].Select(s => calibration.Probability(s.Relevance))));
            relevant.AddRange(apply.SelectMany(q => dev[q].Judged.Select(j => j.Relevance >= threshold)));
        }

        return (probabilities, relevant);
    }

    /// <summary>
    /// Relevance as LambdaMART's integer levels: thirds of the scale above its minimum (Home Depot's means of three raters
    /// fall on them), at most 31 levels; gain 2^(relevance - minimum) - 1 as in our NDCG.
    /// </summary>
    private sealed class RelevanceLevels
    {
        private readonly double _minimum;
        private readonly double _step;

        public RelevanceLevels(double minimum, double maximum)
        {
            _minimum = minimum;
            var count = Math.Clamp((int)Math.Round((maximum - minimum) * 3) + 1, 2, 31);
            _step = Math.Max(maximum - minimum, 1e-9) / (count - 1);
            Gains = Enumerable.Range(0, count).Select(l => Math.Pow(2, l * _step) - 1).ToArray();
        }

        public double[] Gains { get; }

        public float Of(double relevance) => (float)Math.Clamp(Math.Round((relevance - _minimum) / _step), 0, Gains.Length - 1);
    }
}
