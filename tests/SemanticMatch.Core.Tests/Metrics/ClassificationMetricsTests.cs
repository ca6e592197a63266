using SemanticMatch.Core.Metrics;

namespace SemanticMatch.Core.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void RocAuc_HandComputed()
    {
        // Positives 0.9, 0.4; negatives 0.5, 0.1. Pairs won by positives: (0.9>0.5), (0.9>0.1), (0.4>0.1) = 3 of 4.
        double[] scores = [0.9, 0.4, 0.5, 0.1];
        bool[] labels = [true, true, false, false];

        Assert.Equal(0.75, ClassificationMetrics.RocAuc(scores, labels)!.Value, 12);
    }

    [Fact]
    public void RocAuc_TiesCountHalf()
    {
        Assert.Equal(0.5, ClassificationMetrics.RocAuc([1.0, 1.0], [true, false])!.Value, 12);
    }

    [Fact]
    public void RocAuc_OneClass_IsNull() => Assert.Null(ClassificationMetrics.RocAuc([0.1, 0.2], [true, true]));

    [Fact]
    public void BestAccuracyThreshold_HandComputed()
    {
        // Sorted: 0.9 T, 0.8 T, 0.6 F, 0.5 T, 0.2 F. Threshold 0.8 -> TP 2, FP 0, FN 1, TN 2: accuracy 0.8, F1 = 4/5.
        double[] scores = [0.5, 0.9, 0.2, 0.8, 0.6];
        bool[] labels = [true, true, false, true, false];

        var best = ClassificationMetrics.BestAccuracyThreshold(scores, labels);

        Assert.Equal(0.8, best.Threshold);
        Assert.Equal(0.8, best.Accuracy, 12);
        Assert.Equal(0.8, best.F1, 12);
    }

    [Fact]
    public void BestAccuracyThreshold_AllNegative_PredictsNothing()
    {
        var best = ClassificationMetrics.BestAccuracyThreshold([0.3, 0.7], [false, false]);

        Assert.Equal(1.0, best.Accuracy);
        Assert.Equal(double.PositiveInfinity, best.Threshold);
    }

    [Fact]
    public void Latency_Percentiles_NearestRank()
    {
        var stats = LatencyStats.From([5.0, 1, 4, 2, 3, 10, 6, 7, 8, 9]);

        Assert.Equal(5, stats.P50Ms);
        Assert.Equal(10, stats.P95Ms);
        Assert.Equal(10, stats.Count);
    }
}
