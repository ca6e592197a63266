using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace SemanticMatch.Ranking.Training;

/// <summary>Fits the boosted trees of a ranker (ML.NET FastTree, one thread: the same seed gives the same trees).</summary>
internal static class TreeTraining
{
    /// <summary>Trains LambdaMART on rows grouped by query (rows of a group adjacent), labels being relevance levels 0..n-1.</summary>
    /// <param name="rows">Training rows.</param>
    /// <param name="gains">NDCG gain of each level.</param>
    /// <param name="settings">Tree settings.</param>
    /// <param name="seed">Seed of ML.NET.</param>
    public static TreeModel TrainRanking(IReadOnlyList<FeatureRow> rows, double[] gains, TreeSettings settings, int seed)
    {
        var ml = new MLContext(seed);
        var schema = TreeModel.Schema();
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new FastTreeRankingTrainer.Options
        {
            LabelColumnName = nameof(FeatureRow.Label),
            FeatureColumnName = nameof(FeatureRow.Features),
            RowGroupColumnName = "GroupKey",
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumLeafCount,
            LearningRate = settings.LearningRate,
            CustomGains = gains,
            NumberOfThreads = 1, // deterministic
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("GroupKey", nameof(FeatureRow.Group))
            .Append(ml.Ranking.Trainers.FastTree(options));
        var model = pipeline.Fit(data);
        return new TreeModel(ml, model.LastTransformer, schema);
    }

    /// <summary>Trains least-squares boosted trees on labels as they are (predicted relevance).</summary>
    public static TreeModel TrainRegression(IReadOnlyList<FeatureRow> rows, TreeSettings settings, int seed)
    {
        var ml = new MLContext(seed);
        var schema = TreeModel.Schema();
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new FastTreeRegressionTrainer.Options
        {
            LabelColumnName = nameof(FeatureRow.Label),
            FeatureColumnName = nameof(FeatureRow.Features),
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumLeafCount,
            LearningRate = settings.LearningRate,
            NumberOfThreads = 1,
        };
        return new TreeModel(ml, ml.Regression.Trainers.FastTree(options).Fit(data), schema);
    }
}
