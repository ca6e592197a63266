using SemanticMatch.Core.Metrics;

namespace SemanticMatch.Benchmarks.Evaluations;

/// <summary>One method's classification of held-out pairs into graded labels (0 .. classes-1).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Accuracy">Share of pairs given their label.</param>
/// <param name="MacroF1">F1 averaged over the classes, each counted equally.</param>
/// <param name="PositiveF1">F1 of the highest class (for two classes: the positive one).</param>
/// <param name="RocAuc">ROC-AUC of the score for "label >= relevantFrom"; null for a constant predictor.</param>
/// <param name="CutPoints">Score cut points fitted on the training pairs (class k when cut k-1 &lt;= score &lt; cut k).</param>
public sealed record PairClassificationResult(string Method, double Accuracy, double MacroF1, double PositiveF1, double? RocAuc, IReadOnlyList<double> CutPoints);

/// <summary>What the cut points of <see cref="GradedPairClassification"/> are fitted to maximise.</summary>
public enum CutObjective
{
    /// <summary>Macro-F1: every class counts equally (the minority classes get predicted).</summary>
    MacroF1,

    /// <summary>Accuracy: the share of pairs given their label (the majority class wins ties).</summary>
    Accuracy,
}

/// <summary>
/// Turns a pair score (BM25, character overlap, cosine, a trained model) into a graded label the way CLUE's pair tasks
/// are scored: ordered cut points fitted on the training pairs to maximise macro-F1 (or accuracy), then accuracy, macro-F1 and ROC-AUC
/// measured on held-out pairs. A baseline is thereby given its best chance, fitted without seeing the held-out labels.
/// </summary>
public static class GradedPairClassification
{
    /// <summary>Candidate cut points tried per class boundary (score quantiles of the training pairs).</summary>
    public const int Grid = 100;

    /// <summary>Fits cut points on <paramref name="trainScores"/> and evaluates them on <paramref name="devScores"/>.</summary>
    public static PairClassificationResult Evaluate(string method, IReadOnlyList<double> trainScores, IReadOnlyList<int> trainLabels,
        IReadOnlyList<double> devScores, IReadOnlyList<int> devLabels, int classes, int relevantFrom, CutObjective objective = CutObjective.MacroF1)
    {
        ArgumentNullException.ThrowIfNull(trainScores);
        ArgumentNullException.ThrowIfNull(devScores);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var cuts = FitCutPoints(trainScores, trainLabels, classes, objective);
        var predicted = devScores.Select(s => Classify(s, cuts)).ToList();
        return new PairClassificationResult(method, Accuracy(predicted, devLabels), MacroF1(predicted, devLabels, classes),
            F1(predicted, devLabels, classes - 1), ClassificationMetrics.RocAuc(devScores, devLabels.Select(l => l >= relevantFrom).ToList()), cuts);
    }

    /// <summary>The majority class of the training pairs, predicted for every held-out pair.</summary>
    public static PairClassificationResult Majority(IReadOnlyList<int> trainLabels, IReadOnlyList<int> devLabels, int classes)
    {
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(devLabels);
        var majority = trainLabels.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var predicted = devLabels.Select(_ => majority).ToList();
        return new PairClassificationResult("majority class", Accuracy(predicted, devLabels), MacroF1(predicted, devLabels, classes),
            F1(predicted, devLabels, classes - 1), null, []);
    }

    /// <summary>Share of characters the two texts share (Jaccard over their sets of letters and digits).</summary>
    public static double CharacterJaccard(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = a.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToHashSet();
        var y = b.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToHashSet();
        var union = x.Count + y.Count - x.Intersect(y).Count();
        return union == 0 ? 0 : (double)x.Intersect(y).Count() / union;
    }

    // Exhaustive over a quantile grid for 2 and 3 classes (the tasks we have), best objective, ties to the lower cuts.
    private static double[] FitCutPoints(IReadOnlyList<double> scores, IReadOnlyList<int> labels, int classes, CutObjective objective)
    {
        var sorted = scores.Order().ToArray();
        // Midpoints between neighbouring training scores at each quantile, so a cut falls between scores, not on one;
        // the infinities let a class go unpredicted (accuracy may be best without the rare classes).
        var grid = Enumerable.Range(1, Grid - 1)
            .Select(i => (int)((long)i * (sorted.Length - 1) / Grid))
            .Select(p => (sorted[p] + sorted[Math.Min(p + 1, sorted.Length - 1)]) / 2)
            .Prepend(double.NegativeInfinity).Append(double.PositiveInfinity)
            .Distinct().ToArray();
        var best = (F1: double.MinValue, Cuts: Array.Empty<double>());
        foreach (var cuts in Combinations(grid, classes - 1))
        {
            var predicted = scores.Select(s => Classify(s, cuts)).ToList();
            var value = objective == CutObjective.Accuracy ? Accuracy(predicted, labels) : MacroF1(predicted, labels, classes);
            if (value > best.F1)
            {
                best = (value, cuts);
            }
        }

        return best.Cuts;
    }

    private static IEnumerable<double[]> Combinations(double[] grid, int count)
    {
        if (count == 1)
        {
            return grid.Select(g => new[] { g });
        }

        if (count == 2)
        {
            return grid.SelectMany((g, i) => grid.Skip(i).Select(h => new[] { g, h }));
        }

        throw new ArgumentOutOfRangeException(nameof(count), count, "at most three classes");
    }

    private static int Classify(double score, double[] cuts)
    {
        var label = 0;
        while (label < cuts.Length && score >= cuts[label])
        {
            label++;
        }

        return label;
    }

    private static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> labels) =>
        predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Count;

    private static double MacroF1(IReadOnlyList<int> predicted, IReadOnlyList<int> labels, int classes) =>
        Enumerable.Range(0, classes).Average(c => F1(predicted, labels, c));

    private static double F1(IReadOnlyList<int> predicted, IReadOnlyList<int> labels, int label)
    {
        int truePositive = 0, predictedCount = 0, actualCount = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            truePositive += predicted[i] == label && labels[i] == label ? 1 : 0;
            predictedCount += predicted[i] == label ? 1 : 0;
            actualCount += labels[i] == label ? 1 : 0;
        }

        return truePositive == 0 ? 0 : 2.0 * truePositive / (predictedCount + actualCount);
    }
}
