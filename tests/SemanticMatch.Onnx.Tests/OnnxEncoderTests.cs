using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

[Collection(BundledModelCollection.Name)]
public sealed class OnnxEncoderTests(BundledModelFixture fixture)
{
    [Fact]
    public void Encode_PaddedBatch_EqualsOneAtATime()
    {
        string[] texts = ["drill", "DEWALT 20-Volt Max Lithium-Ion Cordless Compact Drill/Driver Kit with two batteries", "white faucet"];

        var batched = fixture.Encoder.Encode(texts, TextRole.Document);

        for (var i = 0; i < texts.Length; i++)
        {
            var alone = fixture.Encoder.Encode([texts[i]], TextRole.Document)[0];
            Assert.Equal(1, VectorSimilarity.Cosine(batched[i], alone), 5);
        }
    }

    [Fact]
    public void EncodeOne_FromManyThreads_EqualsOneThread()
    {
        var texts = Enumerable.Range(0, 40).Select(i => $"cordless drill kit number {i} with {i % 3 + 1} batteries").ToList();
        var expected = texts.Select(t => fixture.Encoder.EncodeOne(t, TextRole.Query)).ToList();

        var actual = new float[texts.Count][];
        Parallel.For(0, texts.Count * 3, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => actual[i % texts.Count] = fixture.Encoder.EncodeOne(texts[i % texts.Count], TextRole.Query));

        Assert.All(Enumerable.Range(0, texts.Count), i => Assert.Equal(expected[i], actual[i]));
    }

    [Fact]
    public void Encode_WithBatchesRunningAtOnce_EqualsOneBatchAfterAnother_AndReportsEveryText()
    {
        var texts = Enumerable.Range(0, 90).Select(i => $"{(i % 2 == 0 ? "cordless drill" : "garden hose")} model {i} with {i % 7} extras").ToList();
        using var parallel = OnnxEncoder.Create(fixture.Model, new EncoderOptions { BatchSize = 8, Threads = 1, BatchParallelism = 4 });
        var reported = new System.Collections.Concurrent.ConcurrentBag<int>();

        var expected = fixture.Encoder.Encode(texts, TextRole.Document);
        var actual = parallel.Encode(texts, TextRole.Document, new SynchronousProgress(reported.Add));

        Assert.All(Enumerable.Range(0, texts.Count), i => Assert.Equal(1, VectorSimilarity.Cosine(expected[i], actual[i]), 5));
        Assert.Equal(12, reported.Count); // 90 texts in batches of 8
        Assert.Equal(90, reported.Max());
        Assert.Throws<OperationCanceledException>(() => parallel.Encode(texts, TextRole.Document, cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Encode_ReturnsUnitVectorsOfTheModelDimension()
    {
        var vectors = fixture.Encoder.Encode(["cordless drill", "kitchen faucet"], TextRole.Document);

        Assert.All(vectors, v =>
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1, System.Numerics.Tensors.TensorPrimitives.Norm(v), 4);
        });
    }

    [Fact]
    public void Encode_Golden_DrillQueryPrefersTheDrillOverTheDrillBit()
    {
        var query = fixture.Encoder.EncodeQuery("cordless drill");
        var products = fixture.Encoder.Encode(
            ["20-Volt Cordless Drill/Driver Kit with 2 Batteries", "Titanium Drill Bit Set (29-Piece)", "White Kitchen Faucet"],
            TextRole.Document);

        var scores = products.Select(p => VectorSimilarity.Cosine(query, p)).ToArray();

        Assert.True(scores[0] > scores[1], $"drill {scores[0]:F3} should beat drill bit {scores[1]:F3}");
        Assert.True(scores[1] > scores[2], $"drill bit {scores[1]:F3} should beat faucet {scores[2]:F3}");
    }

    [Fact]
    public void Encode_ReportsProgressUpToTheCount()
    {
        var reports = new List<int>();
        var progress = new SynchronousProgress(reports.Add);

        fixture.Encoder.Encode(Enumerable.Range(0, 20).Select(i => $"product {i}").ToList(), TextRole.Document, progress);

        Assert.Equal(20, reports[^1]);
        Assert.Equal(reports.Order(), reports);
    }

    [Fact]
    public void Identity_ChangesWithPooling()
    {
        using var max = OnnxEncoder.Create(fixture.Model, new EncoderOptions { Pooling = Pooling.Max });

        Assert.NotEqual(fixture.Encoder.Identity, max.Identity);
        Assert.Contains("pool=max", max.Identity);
    }

    [Fact]
    public void Create_CrossEncoderModel_IsRefusedForEmbedding()
    {
        using var temp = new TempModel(fixture.Model, fixture.Model.Config with { Kind = ModelKind.CrossEncoder });

        var error = Assert.Throws<ModelFormatException>(() => OnnxEncoder.Create(ModelDirectory.Open(temp.Path)));

        Assert.Contains("CrossEncoder model; embedding needs a bi-encoder", error.Message);
    }

    [Fact]
    public void UserModelDirectory_LoadsTheSameWay_WithItsOwnSettings()
    {
        using var temp = new TempModel(fixture.Model, fixture.Model.Config with { Name = "my-model", Pooling = Pooling.Cls, QueryPrefix = "query: " });
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(temp.Path));

        var query = encoder.EncodeQuery("drill");
        var document = encoder.Encode(["drill"], TextRole.Document)[0];

        Assert.Equal(Pooling.Cls, encoder.Pooling);
        Assert.StartsWith("my-model@", encoder.Identity);
        Assert.True(VectorSimilarity.Cosine(query, document) < 0.999f, "the query prefix must change the query vector");
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
