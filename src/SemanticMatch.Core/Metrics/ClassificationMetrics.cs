namespace SemanticMatch.Core.Metrics;

/// <summary>Pair classification metrics: a score separates relevant from irrelevant (query, product) pairs.</summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// Area under the ROC curve: the probability that a random relevant pair scores above a random irrelevant one
    /// (ties count one half). Null when either class is empty.
    /// </summary>
    public static double? RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        CheckLengths(scores, labels);
        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        // Mann-Whitney U with average ranks for ties.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    positiveRankSum += averageRank;
                }
            }

            start = end + 1;
        }

        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// The threshold t maximising accuracy of "relevant when score &gt;= t" on these pairs, with accuracy and F1 at t.
    /// </summary>
    public static ThresholdResult BestAccuracyThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        CheckLengths(scores, labels);
        if (scores.Count == 0)
        {
            throw new ArgumentException("no pairs to classify", nameof(scores));
        }

        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var positives = labels.Count(l => l);

        // Start with nothing predicted relevant (threshold above every score), then lower it one distinct score at a time.
        int truePositives = 0, falsePositives = 0;
        var best = new ThresholdResult(double.PositiveInfinity, (scores.Count - positives) / (double)scores.Count, 0);
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    truePositives++;
                }
                else
                {
                    falsePositives++;
                }
            }

            var trueNegatives = scores.Count - positives - falsePositives;
            var accuracy = (truePositives + trueNegatives) / (double)scores.Count;
            if (accuracy > best.Accuracy)
            {
                var f1 = 2.0 * truePositives / (2.0 * truePositives + falsePositives + (positives - truePositives));
                best = new ThresholdResult(scores[order[start]], accuracy, f1);
            }

            start = end + 1;
        }

        return best;
    }

    private static void CheckLengths(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels", nameof(labels));
        }
    }
}

/// <summary>A decision threshold and the accuracy and F1 it gives.</summary>
public readonly record struct ThresholdResult(double Threshold, double Accuracy, double F1);
