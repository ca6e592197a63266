using SemanticMatch.Core.Catalogue;
using SemanticMatch.Benchmarks.Evaluations;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks.Tests;

/// <summary>The application evaluations on constructed cases with known answers.</summary>
public sealed class ApplicationEvaluationTests
{
    [Fact]
    public void CoRelevant_PairsProductsRelevantToTheSameQuery()
    {
        Judgment[] judgments = [new("drill", "a", 3), new("drill", "b", 2.5), new("drill", "c", 1), new("hose", "d", 3), new("saw", "a", 3), new("saw", "e", 3)];

        var coRelevant = SimilarProductsEvaluation.CoRelevant(judgments, 2.5);

        Assert.Equal(["b", "e"], coRelevant["a"].Order(StringComparer.Ordinal));
        Assert.Equal(["a"], coRelevant["b"]);
        Assert.False(coRelevant.ContainsKey("c")); // not relevant
        Assert.False(coRelevant.ContainsKey("d")); // alone in its query
    }

    [Fact]
    public void SimilarProducts_DenseFindsTheCoRelevantProductsThatShareWords_RandomDoesNot()
    {
        var products = Enumerable.Range(0, 40).Select(i => new Product($"p{i}", $"item{i / 4} widget{i / 4} model{i}")).ToList();
        var judgments = products.Select(p => new Judgment($"group {int.Parse(p.Id[1..], System.Globalization.CultureInfo.InvariantCulture) / 4}", p.Id, 3)).ToList();

        var results = SimilarProductsEvaluation.Run(products, judgments, new HashingEncoder(), "hashing", ProductText.Default, 2.5, seed: 7);

        Assert.Equal(1.0, results[0].RecallAt10, 6);
        Assert.Equal(40, results[0].Products);
        Assert.True(results[2].RecallAt10 < 0.5, $"random {results[2].RecallAt10}");
    }

    [Fact]
    public void AdCurve_GivesPrecisionAndRecallAtEachThreshold_AndTheThresholdForAPrecision()
    {
        (double, bool)[] scored = [(0.9, true), (0.8, true), (0.7, false), (0.6, true), (0.5, false)];

        var curve = AdThresholdEvaluation.Curve(scored);

        Assert.Equal([0.9, 0.8, 0.7, 0.6, 0.5], curve.Select(p => p.Threshold));
        Assert.Equal([1, 1, 2 / 3.0, 0.75, 0.6], curve.Select(p => p.Precision));
        Assert.Equal([1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1], curve.Select(p => p.Recall));
        Assert.Equal(0.6, AdThresholdEvaluation.ThresholdFor(curve, 0.75)!.Threshold);
        Assert.Equal(0.8, AdThresholdEvaluation.ThresholdFor(curve, 0.9)!.Threshold);
    }

    [Fact]
    public void Faq_SplitHoldsOutPartOfEveryIntent_AndCoverageTradesAnswersForAccuracy()
    {
        var questions = Enumerable.Range(0, 30).Select(i => new FaqQuestion($"question {i}", $"intent{i % 3}")).ToList();

        var (known, dev) = FaqEvaluation.Split(questions, 0.2, seed: 1);
        var again = FaqEvaluation.Split(questions, 0.2, seed: 1);
        var curve = FaqEvaluation.Coverage([(0.9, true), (0.8, true), (0.7, false), (0.6, false)]);

        Assert.Equal(6, dev.Count);
        Assert.All(dev.GroupBy(q => q.Intent), g => Assert.Equal(2, g.Count()));
        Assert.Empty(known.Intersect(dev));
        Assert.Equal(dev, again.Dev);
        Assert.Equal([0.25, 0.5, 0.75, 1], curve.Select(p => p.Coverage));
        Assert.Equal([1, 1, 2 / 3.0, 0.5], curve.Select(p => p.Accuracy));
    }

    [Fact]
    public void Faq_NearestPhrasingAndCentroid_FindTheIntentThatSharesWords()
    {
        FaqQuestion[] known = [new("card not arrived yet", "card"), new("where is my card", "card"), new("reset my password", "password"), new("forgot password", "password")];
        FaqQuestion[] dev = [new("my card has not arrived", "card"), new("password reset please", "password")];

        var result = FaqEvaluation.Run(known, dev, new HashingEncoder(), "hashing");

        Assert.All(result.Results, r => Assert.Equal(1.0, r.Accuracy));
        Assert.Equal(2, result.Entries);
    }
}
