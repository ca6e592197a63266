using System.Globalization;
using SemanticMatch.Search;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The ranking ablation and the tree settings, cross-validated over folds of the train queries: each row's mean over the
/// held-out folds and its fold-paired difference from the ranker with every feature group and the default trees, with the
/// standard error of that difference. A difference within about two standard errors is not a margin that holds.
/// </summary>
internal static class RankingCrossValidation
{
    private static readonly TreeSettings[] s_grid =
        [new(100, 8), new(300, 8), new(1000, 8), new(100, 16), new(300, 16), new(100, 4), new(300, 4)];

    public static void Run(IReadOnlyList<JudgedQuerySignals> train, int depth, ModelReference bi, ModelReference cross, double threshold, int folds)
    {
        var options = new RankerTrainingOptions { RelevantThreshold = threshold };
        Console.WriteLine($"{Engine.Evaluation.MachineInfo.Describe()}; {train.Count} train queries, {folds} folds (seed {options.Seed}); mean over held-out folds, difference to the first row ± its standard error");
        var reference = RankerSelection.CrossValidate(train, depth, bi, cross, options, folds);
        Console.WriteLine("| ranker | NDCG@10 | MRR@10 | RMSE | ΔNDCG@10 | ΔMRR@10 | ΔRMSE |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Print("all features, 100 trees x 8 leaves", reference, reference);
        foreach (var group in Enum.GetValues<FeatureGroup>())
        {
            Print($"without {group}", RankerSelection.CrossValidate(train, depth, bi, cross, options with { Excluded = new HashSet<FeatureGroup> { group } }, folds), reference);
        }

        var crossOnly = Enum.GetValues<FeatureGroup>().Where(g => g != FeatureGroup.Cross).ToHashSet();
        Print("cross-encoder features only", RankerSelection.CrossValidate(train, depth, bi, cross, options with { Excluded = crossOnly }, folds), reference);
        Print("unjudged candidates as irrelevant", RankerSelection.CrossValidate(train, depth, bi, cross, options with { UnjudgedAsIrrelevant = true }, folds), reference);
        var validation = RankerSelection.Compare(train, depth, bi, cross, options, s_grid, folds);
        foreach (var setting in validation.Settings)
        {
            Print($"{setting.Trees.Trees} trees x {setting.Trees.Leaves} leaves{(setting.Trees == validation.Chosen ? " (chosen)" : string.Empty)}", setting.Folds, reference);
        }
    }

    private static void Print(string name, IReadOnlyList<RankerMetrics> folds, IReadOnlyList<RankerMetrics> reference)
    {
        string Delta(Func<RankerMetrics, double> metric)
        {
            var (mean, error) = RankerSelection.PairedDifference(folds, reference, metric);
            return string.Create(CultureInfo.InvariantCulture, $"{mean:+0.0000;-0.0000;0.0000} ± {error:0.0000}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {folds.Average(f => f.Ndcg10):0.0000} | {folds.Average(f => f.Mrr10):0.0000} | {folds.Average(f => f.Rmse ?? 0):0.0000} | {Delta(f => f.Ndcg10)} | {Delta(f => f.Mrr10)} | {Delta(f => f.Rmse ?? 0)} |"));
    }
}
