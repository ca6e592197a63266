using SemanticMatch.Ranking.Training;
using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Ranking.Tests;

/// <summary>Choosing tree settings by cross-validation over the train queries (on <see cref="RankerTrainerTests"/>' synthetic queries).</summary>
public sealed class RankerSelectionTests
{
    private static readonly ModelReference s_bi = new("bi", "bi@1");
    private static readonly ModelReference s_cross = new("cross", "cross@1");
    private static readonly TreeSettings s_small = new(Trees: 50, Leaves: 4);
    private static readonly TreeSettings s_large = new(Trees: 300, Leaves: 16);

    [Fact]
    public void Choose_KeepsABiggerModelOnlyForAMarginTheFoldsAgreeOn()
    {
        // The large model is ahead on average in both cases; only in the first does every fold agree.
        var consistent = Choose(small: [0.80, 0.85, 0.90, 0.82, 0.88], large: [0.82, 0.87, 0.92, 0.84, 0.90]);
        var erratic = Choose(small: [0.80, 0.85, 0.90, 0.82, 0.88], large: [0.86, 0.80, 0.95, 0.78, 0.91]);
        var worse = Choose(small: [0.80, 0.85, 0.90, 0.82, 0.88], large: [0.79, 0.84, 0.89, 0.81, 0.87]);

        Assert.Equal(s_large, consistent);
        Assert.Equal(s_small, erratic);
        Assert.Equal(s_small, worse);
    }

    [Fact]
    public void CrossValidation_MeasuresOnQueriesItDidNotTrainOn()
    {
        // Labels drawn at random: trees grown to single pairs learn them by heart, so a ranker measured on its own
        // train queries looks good, while held-out folds can do no better than chance.
        var random = new Random(11);
        var noise = RankerTrainerTests.Queries(120, seed: 9).Select(q => q with
        {
            Judged = q.Judged.Select(j => j with { Relevance = random.NextDouble() < 0.3 ? 3 : 1 }).ToList(),
        }).ToList();
        var options = new RankerTrainingOptions { Trees = new TreeSettings(Trees: 300, Leaves: 32, MinimumLeafCount: 1, LearningRate: 0.3) };

        var inSample = RankerTrainer.Train(noise, noise, 20, s_bi, s_cross, options).Manifest.Training!.Dev.Ndcg10;
        var folds = RankerSelection.CrossValidate(noise, 20, s_bi, s_cross, options, folds: 4);

        Assert.Equal(4, folds.Count);
        Assert.True(inSample > 0.9, $"in-sample NDCG {inSample}");
        Assert.True(folds.Average(f => f.Ndcg10) < inSample - 0.15, $"cross-validated NDCG {folds.Average(f => f.Ndcg10)} vs in-sample {inSample}");
    }

    [Fact]
    public void Train_UsesTheChosenSetting_AndRecordsTheCrossValidation()
    {
        var (train, dev) = (RankerTrainerTests.Queries(200, seed: 12), RankerTrainerTests.Queries(100, seed: 13));
        var options = RankerTrainerTests.Options();
        TreeSettings[] candidates = [new(Trees: 1, Leaves: 2, MinimumLeafCount: 10), new(Trees: 100, Leaves: 8, MinimumLeafCount: 10)];

        var trained = RankerSelection.Train(train, dev, 20, s_bi, s_cross, options, candidates, folds: 3);
        var direct = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, options with { Trees = trained.Manifest.Trees });

        var validation = trained.Manifest.CrossValidation!;
        Assert.Equal(3, validation.FoldCount);
        Assert.Equal(candidates, validation.Settings.Select(s => s.Trees));
        Assert.All(validation.Settings, s => Assert.Equal(3, s.Folds.Count));
        Assert.Equal(RankerSelection.Choose(validation.Settings), validation.Chosen);
        Assert.Equal(validation.Chosen, trained.Manifest.Trees);
        Assert.Equal(direct.Manifest.Training!.Dev, trained.Manifest.Training!.Dev);
    }

    [Fact]
    public void Folds_MustEachHoldQueries_AndBothKindsOfPairs()
    {
        var train = RankerTrainerTests.Queries(10, seed: 14);
        var allRelevant = train.Select(q => q with { Judged = q.Judged.Select(j => j with { Relevance = 3 }).ToList() }).ToList();

        var tooMany = Assert.Throws<InvalidRequestException>(() => RankerSelection.CrossValidate(train, 20, s_bi, s_cross, RankerTrainerTests.Options(), folds: 11));
        var one = Assert.Throws<InvalidRequestException>(() => RankerSelection.CrossValidate(train, 20, s_bi, s_cross, RankerTrainerTests.Options(), folds: 1));
        var oneKind = Assert.Throws<InvalidRequestException>(() => RankerSelection.CrossValidate(allRelevant, 20, s_bi, s_cross, RankerTrainerTests.Options(), folds: 2));

        Assert.Equal("cross-validation needs 2 to 10 folds (one query at least in each), not 11", tooMany.Message);
        Assert.Equal("cross-validation needs 2 to 10 folds (one query at least in each), not 1", one.Message);
        Assert.StartsWith("cross-validation fold 1 of 2 has no irrelevant pairs (relevance below 2.5)", oneKind.Message, StringComparison.Ordinal);
    }

    private static TreeSettings Choose(double[] small, double[] large) =>
        RankerSelection.Choose([Setting(s_large, large), Setting(s_small, small)]);

    private static CrossValidatedSetting Setting(TreeSettings trees, double[] ndcg) =>
        new(trees, ndcg.Select(n => new RankerMetrics(n, 0.4, 0.5, 0.7, 0.45)).ToList());
}
