using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Onnx.Quantization;
using SemanticMatch.Training.CrossEncoding;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>A cross-encoder exported with its head appended to the ONNX graph must score as TorchSharp does.</summary>
[Collection(TorchCollection.Name)]
public sealed class CrossEncoderExportTests
{
    private const float Tolerance = 1e-4f;
    private const string Query = "cordless drill";
    private static readonly string[] s_products =
    [
        "DEWALT 20-Volt Max Lithium-Ion Cordless Compact Drill/Driver Kit (Tool-Only)",
        "1/2 in. pipe",
        "Moen white kitchen faucet with pull-down sprayer",
    ];

    [Theory]
    [InlineData("minilm", Objective.Cross)]
    [InlineData("minilm", Objective.CrossGraded)]
    [InlineData("arctic", Objective.Cross)]
    public void Export_OnnxRuntimeScoresEqualTorchSharp(string key, Objective objective)
    {
        torch.manual_seed(7);
        var baseModel = BundledModels.Resolve(key);
        var options = new TrainingOptions { Objective = objective, Dropout = 0 };
        using var model = CrossEncoderModel.Load(baseModel, options, (1, 3));
        Perturb(model);
        model.eval();
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, lowerCase: true);
        var expected = model.Score(tokenizer.Encode(Query, options.MaxQueryLength),
            s_products.Select(p => tokenizer.Encode(p, options.MaxProductLength)).ToList());

        using var target = new TempDirectory();
        model.Export(baseModel, target.Path);
        var exported = ModelDirectory.Open(target.Path);
        using var onnx = OnnxCrossEncoder.Create(exported);
        var actual = onnx.Score(Query, s_products);

        Assert.Equal(ModelKind.CrossEncoder, exported.Config.Kind);
        Assert.Equal(objective == Objective.CrossGraded, onnx.ScoresRelevance);
        for (var i = 0; i < s_products.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"{key} {objective} product {i}: torch {expected[i]:F6} vs onnx {actual[i]:F6}");
        }

        Assert.True(expected.Max() - expected.Min() > 1e-3, "the perturbed head must tell the products apart");
        if (objective == Objective.CrossGraded)
        {
            Assert.All(actual, score => Assert.InRange(score, 1f, 3f));
        }
    }

    [Fact]
    public void Load_FromAnExportedCrossEncoder_ContinuesWithItsHead()
    {
        torch.manual_seed(7);
        var baseModel = BundledModels.Resolve("minilm");
        var options = new TrainingOptions { Objective = Objective.CrossGraded, Dropout = 0 };
        using var first = CrossEncoderModel.Load(baseModel, options, (1, 3));
        Perturb(first);
        using var target = new TempDirectory();
        first.Export(baseModel, target.Path);
        var exported = ModelDirectory.Open(target.Path);

        using var second = CrossEncoderModel.Load(exported, options, (1, 3));

        foreach (var (a, b) in first.parameters().Zip(second.parameters()))
        {
            Assert.True((a - b).abs().max().item<float>() < 1e-6f);
        }

        var error = Assert.Throws<ModelFormatException>(() => CrossEncoderModel.Load(exported, options with { Objective = Objective.Cross }, (1, 3)));
        Assert.Contains("scoring Relevance", error.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFormatException>(() => BiEncoderModel.Load(exported, new TrainingOptions()));
    }

    [Fact]
    public void Quantize_CrossEncoder_KeepsItsHeadAndScoresClose()
    {
        torch.manual_seed(7);
        var baseModel = BundledModels.Resolve("minilm");
        using var model = CrossEncoderModel.Load(baseModel, new TrainingOptions { Objective = Objective.Cross, Dropout = 0 }, (1, 3));
        Perturb(model, scale: 0.1f); // closer to a trained head; the large test perturbation saturates tanh and magnifies int8 noise
        using var fp32Directory = new TempDirectory();
        using var int8Directory = new TempDirectory();
        model.Export(baseModel, fp32Directory.Path);

        var result = Int8Quantizer.Quantize(ModelDirectory.Open(fp32Directory.Path), int8Directory.Path);
        using var fp32 = OnnxCrossEncoder.Create(ModelDirectory.Open(fp32Directory.Path));
        using var int8 = OnnxCrossEncoder.Create(ModelDirectory.Open(int8Directory.Path));
        var before = fp32.Score(Query, s_products);
        var after = int8.Score(Query, s_products);

        Assert.Equal(36, result.RewrittenMatMuls); // the encoder's weight MatMuls; the head's Gemms stay fp32
        Assert.Equal(ModelKind.CrossEncoder, int8.Model.Config.Kind);
        // A loose bound: this head is random, not trained; quality after int8 is measured on Home Depot (docs/results/finetune.md).
        Assert.All(before.Zip(after), p => Assert.True(Math.Abs(p.First - p.Second) < 0.05, $"fp32 {string.Join(" ", before)} vs int8 {string.Join(" ", after)}"));
    }

    // A fresh head outputs nearly the same score for everything; random weights make the comparison meaningful.
    private static void Perturb(CrossEncoderModel model, float scale = 0.5f)
    {
        using var _ = no_grad();
        var generator = new Generator(7);
        foreach (var parameter in model.HeadParameters())
        {
            parameter.add_(randn(parameter.shape, generator: generator) * scale);
        }
    }
}
