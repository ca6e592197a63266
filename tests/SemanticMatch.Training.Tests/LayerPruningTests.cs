using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Onnx.Quantization;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.CrossEncoding;
using SemanticMatch.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Tests;

/// <summary>A model pruned to fewer layers starts from the chosen base layers, and its cut ONNX graph computes what TorchSharp does.</summary>
[Collection(TorchCollection.Name)]
public sealed class LayerPruningTests
{
    private const float Tolerance = 1e-4f;
    private const string Query = "cordless drill";
    private static readonly string[] s_texts =
    [
        "DEWALT 20-Volt Max Lithium-Ion Cordless Compact Drill/Driver Kit (Tool-Only)",
        "1/2 in. pipe",
        "Moen white kitchen faucet with pull-down sprayer",
    ];

    [Theory]
    [InlineData(6, 6, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(6, 4, new[] { 0, 2, 3, 5 })]
    [InlineData(6, 3, new[] { 1, 3, 5 })]
    [InlineData(6, 1, new[] { 5 })]
    [InlineData(12, 6, new[] { 1, 3, 5, 7, 9, 11 })]
    public void KeptLayers_AreEvenlySpacedWithTheTopOne(int baseLayers, int keep, int[] expected) =>
        Assert.Equal(expected, LayerPruning.KeptLayers(baseLayers, keep));

    [Fact]
    public void Load_CopiesTheKeptLayersWeights()
    {
        var model = BundledModels.Resolve("minilm");
        using var full = OnnxBertWeights.Load(model, dropout: 0);
        using var pruned = OnnxBertWeights.Load(model, dropout: 0, layers: 3);

        Assert.Equal(3, pruned.Config.Layers);
        var fullWeights = full.NamedWeights().ToDictionary(w => w.Name, w => w.Parameter);
        foreach (var (name, parameter, _) in pruned.NamedWeights())
        {
            var source = name.StartsWith("encoder.layer.", StringComparison.Ordinal)
                ? $"encoder.layer.{(2 * int.Parse(name.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)) + 1}.{string.Join('.', name.Split('.')[3..])}"
                : name;
            Assert.True((fullWeights[source] - parameter).abs().max().item<float>() == 0, $"{name} must be {source}");
        }
    }

    [Fact]
    public void Load_MoreLayersThanTheBaseHas_NamesBoth()
    {
        var error = Assert.Throws<ModelFormatException>(() => OnnxBertWeights.Load(BundledModels.Resolve("minilm"), dropout: 0, layers: 9));
        Assert.Contains("has 6 transformer layers; cannot keep 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrunedBiEncoder_ExportedGraphHasItsLayersAndReproducesTorchSharp()
    {
        var baseModel = BundledModels.Resolve("minilm");
        using var model = BiEncoderModel.Load(baseModel, new TrainingOptions { Dropout = 0, Layers = 3 });
        model.eval();
        using var target = new TempDirectory();

        model.Export(baseModel, target.Path);
        var exported = ModelDirectory.Open(target.Path);
        using var onnx = OnnxEncoder.Create(exported);
        using var original = OnnxEncoder.Create(baseModel);
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, lowerCase: true);
        var tokens = s_texts.Select(t => tokenizer.Encode(t, baseModel.Config.MaxLength)).ToList();
        using var embedded = model.Embed(tokens);
        var expected = embedded.data<float>().ToArray();
        var actual = onnx.Encode(s_texts, TextRole.Document);
        var before = original.Encode(s_texts, TextRole.Document);

        Assert.Equal("all-MiniLM-L6-v2-ft-3layers", exported.Config.Name);
        var graph = OnnxBertWeights.ReadGraph(exported);
        Assert.Equal(3, OnnxBertWeights.ReadConfig(graph, 0).Layers);
        Assert.DoesNotContain(graph.Graph.Initializer, i => i.Name.StartsWith("encoder.layer.3.", StringComparison.Ordinal));
        // Three layers of MiniLM are ~21 MB of weights (the 47 MB of word embeddings stay).
        Assert.True(new FileInfo(exported.ModelPath).Length < new FileInfo(baseModel.ModelPath).Length - 20_000_000, "three of six layers dropped");
        var dimension = actual[0].Length;
        for (var i = 0; i < s_texts.Length; i++)
        {
            var difference = actual[i].Select((v, d) => Math.Abs(v - expected[(i * dimension) + d])).Max();
            Assert.True(difference < Tolerance, $"text {i}: max |onnx - torch| {difference:E2}");
            Assert.True(actual[i].Zip(before[i]).Max(p => Math.Abs(p.First - p.Second)) > 1e-2, "the pruned model must differ from the full one");
        }
    }

    [Fact]
    public void PrunedCrossEncoder_ExportsQuantizesAndScoresAsTorchSharp()
    {
        torch.manual_seed(7);
        var baseModel = BundledModels.Resolve("minilm");
        var options = new TrainingOptions { Objective = Objective.CrossGraded, Dropout = 0, Layers = 4 };
        using var model = CrossEncoderModel.Load(baseModel, options, (1, 3));
        using (no_grad())
        {
            var generator = new Generator(7);
            foreach (var parameter in model.HeadParameters())
            {
                parameter.add_(randn(parameter.shape, generator: generator) * 0.1f);
            }
        }

        model.eval();
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, lowerCase: true);
        var expected = model.Score(tokenizer.Encode(Query, options.MaxQueryLength), s_texts.Select(p => tokenizer.Encode(p, options.MaxProductLength)).ToList());
        using var fp32Directory = new TempDirectory();
        using var int8Directory = new TempDirectory();

        model.Export(baseModel, fp32Directory.Path);
        var quantized = Int8Quantizer.Quantize(ModelDirectory.Open(fp32Directory.Path), int8Directory.Path);
        using var fp32 = OnnxCrossEncoder.Create(ModelDirectory.Open(fp32Directory.Path));
        using var int8 = OnnxCrossEncoder.Create(ModelDirectory.Open(int8Directory.Path));
        var actual = fp32.Score(Query, s_texts);
        var fromInt8 = int8.Score(Query, s_texts);

        Assert.Equal(4 * 6, quantized.RewrittenMatMuls); // six weight MatMuls a layer
        for (var i = 0; i < s_texts.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"product {i}: torch {expected[i]:F6} vs onnx {actual[i]:F6}");
            // Loose, as in CrossEncoderExportTests: the head is random; on the 1-3 scale (twice a probability's range).
            Assert.True(Math.Abs(actual[i] - fromInt8[i]) < 0.1, $"product {i}: fp32 {actual[i]:F4} vs int8 {fromInt8[i]:F4}");
        }

        Assert.True(expected.Max() - expected.Min() > 1e-3, "the perturbed head must tell the products apart");
    }
}
