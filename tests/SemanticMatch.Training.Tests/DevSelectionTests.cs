using SemanticMatch.Training.Bert;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>The dev metric that selects epochs, and the word embeddings' own learning rate.</summary>
[Collection(TorchCollection.Name)]
public sealed class DevSelectionTests
{
    [Theory]
    [InlineData(new[] { 0.9, 0.8, 0.3, 0.2 }, new[] { true, false, true, false }, 0.75)] // best cut: above 0.9's neighbour or at 0.3
    [InlineData(new[] { 0.5, 0.5 }, new[] { true, false }, 0.5)] // a tie cannot be split
    [InlineData(new[] { 0.1, 0.2, 0.3 }, new[] { false, false, false }, 1.0)] // all below any cut
    [InlineData(new[] { 0.1, 0.2, 0.9 }, new[] { false, false, true }, 1.0)]
    [InlineData(new[] { 0.9, 0.2, 0.1 }, new[] { false, true, true }, 0.6666666666666666)] // inverted scores: predicting all negative is best
    public void BestCutAccuracy_IsTheBestSingleThreshold(double[] scores, bool[] relevant, double expected)
    {
        Assert.Equal(expected, DevEvaluation.BestCutAccuracy(scores, relevant), 1e-12);
    }

    [Fact]
    public void SelectedMetric_Auto_FollowsTheDevDataShape()
    {
        DevQuery Query(int candidates) => new([101, 5, 102], Enumerable.Range(0, candidates).Select(i => ($"p{i}", new long[] { 101, 6, 102 }, (double)(i % 2))).ToList());
        List<DevQuery> pairs = [Query(1), Query(1), Query(2)]; // 1.33 products a query: pair data (QBQTC-like)
        List<DevQuery> ranking = [Query(5), Query(3)];

        Assert.Equal(DevMetric.Auc, FineTuner.SelectedMetric(DevMetric.Auto, pairs));
        Assert.Equal(DevMetric.Ndcg, FineTuner.SelectedMetric(DevMetric.Auto, ranking));
        Assert.Equal(DevMetric.Accuracy, FineTuner.SelectedMetric(DevMetric.Accuracy, ranking));
    }

    [Fact]
    public void EmbeddingLearningRate_MovesTheWordEmbeddingsFasterThanTheLayers()
    {
        var options = new TrainingOptions
        {
            Objective = Objective.Cosent, LearningRate = 1e-6, EmbeddingLearningRate = 1e-2, BatchSize = 8, Epochs = 1, Seed = 3, Dropout = 0,
            WarmupRatio = 0, WeightDecay = 0,
        };
        torch.manual_seed(3);
        using var model = new BiEncoderModel(new BertEncoder(new BertConfig
        {
            VocabularySize = 50, Hidden = 16, Layers = 1, Heads = 2, Intermediate = 32, MaxPositions = 16, Dropout = 0,
        }), Onnx.Models.Pooling.Mean, options);
        var word = model.Encoder.NamedWeights().First().Parameter;
        var layer = model.Encoder.Layers[0].Intermediate.weight!;
        var (wordBefore, layerBefore) = (word.detach().clone(), layer.detach().clone());
        var random = new Random(3);
        var train = Enumerable.Range(0, 32).Select(i => new TrainingPair($"q{i}", $"p{i}", [1, random.Next(5, 50), 2],
            [1, random.Next(5, 50), random.Next(5, 50), 2], i % 3)).ToList();
        List<DevQuery> dev = [new([1, 7, 2], [("a", [1, 7, 8, 2], 2), ("b", [1, 9, 10, 2], 0)])];

        var moved = new Moved(() => ((word - wordBefore).abs().max().item<float>(), (layer - layerBefore).abs().max().item<float>()));

        new FineTuner(options, moved).Fit(model, train, dev); // the best epoch is restored at the end: measure after the last step

        Assert.True(moved.Last.Word > 100 * moved.Last.Layer && moved.Last.Layer > 0, $"word embeddings moved {moved.Last.Word}, layer weights {moved.Last.Layer}");
    }

    private sealed class Moved(Func<(float Word, float Layer)> measure) : ITrainingObserver
    {
        public (float Word, float Layer) Last { get; private set; }

        public void OnEvent(TrainingEvent e, int totalSteps)
        {
            if (e.Kind == "step")
            {
                using var _ = NewDisposeScope();
                Last = measure();
            }
        }
    }
}
