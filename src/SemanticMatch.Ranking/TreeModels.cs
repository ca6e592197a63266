using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace SemanticMatch.Ranking;

/// <summary>One (query, candidate) row as ML.NET reads it.</summary>
internal sealed class FeatureRow
{
    public float Label { get; set; }

    public uint Group { get; set; }

    public float[] Features { get; set; } = [];
}

/// <summary>A model's output for one row.</summary>
internal sealed class ScoreRow
{
    public float Score { get; set; }
}

/// <summary>Settings of the boosted trees (LambdaMART for the order, least squares for the relevance).</summary>
/// <param name="Trees">Number of trees.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="MinimumLeafCount">Fewest training rows in a leaf.</param>
/// <param name="LearningRate">Shrinkage.</param>
public sealed record TreeSettings(int Trees = 100, int Leaves = 8, int MinimumLeafCount = 20, double LearningRate = 0.05)
{
    /// <summary>The first broken value, or null.</summary>
    public string? Problem() => this switch
    {
        { Trees: < 1 } => "trees must be at least 1",
        { Leaves: < 2 } => "leaves must be at least 2",
        { MinimumLeafCount: < 1 } => "the minimum leaf count must be at least 1",
        { LearningRate: <= 0 or > 1 or double.NaN } => "the learning rate must be in (0, 1]",
        _ => null,
    };
}

/// <summary>
/// A trained ML.NET FastTree model (ranking or regression) over <see cref="RankingFeatures"/> vectors: saves, loads and
/// scores (SemanticMatch.Ranking.Training fits it). Scoring goes through a pool of prediction engines (one is not thread-safe).
/// </summary>
internal sealed class TreeModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _schema;
    private readonly ConcurrentBag<PredictionEngine<FeatureRow, ScoreRow>> _engines = [];

    internal TreeModel(MLContext ml, ITransformer model, SchemaDefinition schema)
    {
        _ml = ml;
        _model = model;
        _schema = schema;
    }

    /// <summary>Per-feature gain of the trees (higher = more used), in feature order.</summary>
    public IReadOnlyList<float> Importance()
    {
        var weights = default(VBuffer<float>);
        switch (_model)
        {
            case RankingPredictionTransformer<FastTreeRankingModelParameters> ranking:
                ranking.Model.GetFeatureWeights(ref weights);
                break;
            case RegressionPredictionTransformer<FastTreeRegressionModelParameters> regression:
                regression.Model.GetFeatureWeights(ref weights);
                break;
            default:
                return [];
        }

        return weights.DenseValues().ToArray();
    }

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    public static TreeModel Load(string path)
    {
        var ml = new MLContext(0);
        var model = ml.Model.Load(path, out _);
        return new TreeModel(ml, model, Schema());
    }

    /// <summary>Writes the model (ML.NET's zip format).</summary>
    public void Save(string path)
    {
        var schema = _ml.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), _schema).Schema;
        _ml.Model.Save(_model, schema, path);
    }

    /// <summary>The model's score of each feature vector.</summary>
    public float[] Score(IReadOnlyList<float[]> features)
    {
        if (!_engines.TryTake(out var engine))
        {
            engine = _ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(_model, inputSchemaDefinition: _schema);
        }

        try
        {
            var row = new FeatureRow();
            var output = new ScoreRow();
            var scores = new float[features.Count];
            for (var i = 0; i < features.Count; i++)
            {
                row.Features = features[i];
                engine.Predict(row, ref output);
                scores[i] = output.Score;
            }

            return scores;
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    /// <summary>How ML.NET reads a <see cref="FeatureRow"/> (a fixed-length feature vector).</summary>
    internal static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, RankingFeatures.Count);
        return schema;
    }
}
