using SemanticMatch.Core;
using SemanticMatch.Search;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Ranking.Training;

/// <summary>
/// Chooses a ranker's tree settings by K-fold cross-validation over the train queries instead of on dev, so that dev
/// stays a measurement and a setting is kept only for a margin that holds across folds.
/// </summary>
public static class RankerSelection
{
    /// <summary>
    /// Metrics of a ranker trained with <paramref name="options"/> on all folds but one and measured on that one, for each of
    /// <paramref name="folds"/> folds. Queries are dealt to folds after a shuffle seeded by <see cref="RankerTrainingOptions.Seed"/>.
    /// </summary>
    /// <exception cref="InvalidRequestException">Fewer than 2 folds, more folds than queries, or a fold without relevant or without irrelevant pairs.</exception>
    public static IReadOnlyList<RankerMetrics> CrossValidate(IReadOnlyList<JudgedQuerySignals> train, int depth, ModelReference biEncoder,
        ModelReference? crossEncoder, RankerTrainingOptions options, int folds)
    {
        var parts = Folds(train, folds, options);
        return parts.Select((heldOut, k) => RankerTrainer.Train(
                parts.Where((_, other) => other != k).SelectMany(p => p).ToList(), heldOut, depth, biEncoder, crossEncoder, options)
            .Manifest.Training!.Dev).ToList();
    }

    /// <summary>Cross-validates every candidate setting on the same folds and chooses one (<see cref="Choose"/>).</summary>
    /// <exception cref="InvalidRequestException">No candidates, or the folds cannot be formed (see <c>CrossValidate</c>).</exception>
    public static RankerCrossValidation Compare(IReadOnlyList<JudgedQuerySignals> train, int depth, ModelReference biEncoder,
        ModelReference? crossEncoder, RankerTrainingOptions options, IReadOnlyList<TreeSettings> candidates, int folds)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new InvalidRequestException("cross-validation needs at least one tree setting");
        }

        var settings = candidates.Select(trees => new CrossValidatedSetting(trees,
            CrossValidate(train, depth, biEncoder, crossEncoder, options with { Trees = trees }, folds))).ToList();
        return new RankerCrossValidation(folds, settings, Choose(settings));
    }

    /// <summary>
    /// Cross-validates the candidates, then trains the ranker on all of <paramref name="train"/> with the chosen setting
    /// (calibrated and measured on <paramref name="dev"/> as <see cref="RankerTrainer.Train"/> does); the manifest records the
    /// cross-validation.
    /// </summary>
    public static TrainedRanker Train(IReadOnlyList<JudgedQuerySignals> train, IReadOnlyList<JudgedQuerySignals> dev, int depth,
        ModelReference biEncoder, ModelReference? crossEncoder, RankerTrainingOptions options, IReadOnlyList<TreeSettings> candidates, int folds)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = Compare(train, depth, biEncoder, crossEncoder, options, candidates, folds);
        var trained = RankerTrainer.Train(train, dev, depth, biEncoder, crossEncoder, options with { Trees = validation.Chosen });
        return trained.With(trained.Manifest with { CrossValidation = validation });
    }

    /// <summary>
    /// The one-standard-error rule on NDCG@10, paired by fold: the simplest setting (fewest trees x leaves, then the
    /// earliest given) whose shortfall from the best setting's mean is at most one standard error of its fold-by-fold
    /// differences from it. A bigger model is kept only when it wins by a margin the folds agree on.
    /// </summary>
    public static TreeSettings Choose(IReadOnlyList<CrossValidatedSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var best = settings.MaxBy(s => s.Ndcg10) ?? throw new ArgumentException("no settings to choose from", nameof(settings));
        foreach (var candidate in settings.OrderBy(s => (long)s.Trees.Trees * s.Trees.Leaves))
        {
            var (shortfall, standardError) = PairedDifference(best.Folds, candidate.Folds, m => m.Ndcg10);
            if (shortfall <= standardError)
            {
                return candidate.Trees;
            }
        }

        return best.Trees;
    }

    /// <summary>
    /// The mean over folds of <paramref name="metric"/>(a) - <paramref name="metric"/>(b), and the standard error of that
    /// mean (sample standard deviation of the fold differences over the square root of their count; 0 for one fold).
    /// </summary>
    public static (double Mean, double StandardError) PairedDifference(IReadOnlyList<RankerMetrics> a, IReadOnlyList<RankerMetrics> b,
        Func<RankerMetrics, double> metric)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(metric);
        var differences = a.Zip(b, (x, y) => metric(x) - metric(y)).ToList();
        var mean = differences.Average();
        if (differences.Count < 2)
        {
            return (mean, 0);
        }

        var variance = differences.Sum(d => (d - mean) * (d - mean)) / (differences.Count - 1);
        return (mean, Math.Sqrt(variance / differences.Count));
    }

    private static List<List<JudgedQuerySignals>> Folds(IReadOnlyList<JudgedQuerySignals> train, int folds, RankerTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (folds < 2 || folds > train.Count)
        {
            throw new InvalidRequestException($"cross-validation needs 2 to {train.Count} folds (one query at least in each), not {folds}");
        }

        var order = Enumerable.Range(0, train.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        var parts = Enumerable.Range(0, folds).Select(_ => new List<JudgedQuerySignals>()).ToList();
        for (var i = 0; i < order.Length; i++)
        {
            parts[i % folds].Add(train[order[i]]);
        }

        for (var k = 0; k < folds; k++)
        {
            var relevant = parts[k].SelectMany(q => q.Judged).Select(j => j.Relevance >= options.RelevantThreshold).ToHashSet();
            if (relevant.Count < 2)
            {
                throw new InvalidRequestException(
                    $"cross-validation fold {k + 1} of {folds} has no {(relevant.Contains(true) ? "irrelevant" : "relevant")} pairs (relevance {(relevant.Contains(true) ? "below" : ">=")} {options.RelevantThreshold}) to measure on; use fewer folds");
            }
        }

        return parts;
    }
}
