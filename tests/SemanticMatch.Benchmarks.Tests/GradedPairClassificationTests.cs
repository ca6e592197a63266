using SemanticMatch.Benchmarks.Evaluations;

namespace SemanticMatch.Benchmarks.Tests;

public sealed class GradedPairClassificationTests
{
    [Fact]
    public void AScoreThatOrdersTheLabels_IsCutIntoThem()
    {
        var random = new Random(20261127);
        var train = Enumerable.Range(0, 300).Select(_ => random.Next(3)).ToList();
        var dev = Enumerable.Range(0, 100).Select(_ => random.Next(3)).ToList();
        double Score(int label) => label + random.NextDouble() * 0.9; // label 0 in [0, 0.9), 1 in [1, 1.9), 2 in [2, 2.9)

        var result = GradedPairClassification.Evaluate("oracle", train.Select(Score).ToList(), train, dev.Select(Score).ToList(), dev, 3, relevantFrom: 1);

        // The cuts come from a quantile grid of the training scores, so they land near the class boundaries, not on them.
        Assert.True(result.Accuracy >= 0.95, $"accuracy {result.Accuracy}");
        Assert.True(result.MacroF1 >= 0.95, $"macro-F1 {result.MacroF1}");
        Assert.Equal(1.0, result.RocAuc);
        Assert.Equal(2, result.CutPoints.Count);
    }

    [Fact]
    public void ANoiseScore_DoesNoBetterThanChanceOnMacroF1()
    {
        var random = new Random(7);
        var train = Enumerable.Range(0, 600).Select(_ => random.Next(3)).ToList();
        var dev = Enumerable.Range(0, 600).Select(_ => random.Next(3)).ToList();

        var result = GradedPairClassification.Evaluate("noise", train.Select(_ => random.NextDouble()).ToList(), train,
            dev.Select(_ => random.NextDouble()).ToList(), dev, 3, relevantFrom: 1);

        Assert.InRange(result.MacroF1, 0.2, 0.42);
        Assert.InRange(result.RocAuc!.Value, 0.44, 0.56);
    }

    [Fact]
    public void Majority_PredictsTheCommonestTrainingLabel()
    {
        var result = GradedPairClassification.Majority([1, 1, 1, 0, 2], [1, 0, 1, 2], 3);

        Assert.Equal(0.5, result.Accuracy);
        Assert.Equal((0 + 2.0 / 3 + 0) / 3, result.MacroF1, 1e-9); // class 1: precision 2/4, recall 2/2
        Assert.Null(result.RocAuc);
    }

    [Theory]
    [InlineData("手机壳", "手机", 2.0 / 3)]
    [InlineData("iPhone 15", "IPHONE15", 1.0)]
    [InlineData("电热水壶", "羽绒服", 0.0)]
    public void CharacterJaccard_ComparesSetsOfLettersAndDigits(string a, string b, double expected) =>
        Assert.Equal(expected, GradedPairClassification.CharacterJaccard(a, b), 1e-9);
}
