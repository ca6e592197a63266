using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Encoding;

namespace SemanticMatch.Onnx.Tests;

[Collection(BundledModelCollection.Name)]
public sealed class MicroBatchingEncoderTests(BundledModelFixture fixture)
{
    [Fact]
    public async Task EncodeOneAsync_FromConcurrentCallers_GathersBatches_AndGivesTheSameVectors()
    {
        var counting = new CountingEncoder(fixture.Encoder);
        using var batching = new MicroBatchingEncoder(counting, maxBatch: 8, maxWait: TimeSpan.FromMilliseconds(20));
        var texts = Enumerable.Range(0, 32).Select(i => $"cordless drill kit number {i}").ToList();

        var vectors = await Task.WhenAll(texts.Select(t => Task.Run(async () => await batching.EncodeOneAsync(t, TextRole.Query, TestContext.Current.CancellationToken))));

        Assert.All(Enumerable.Range(0, texts.Count), i =>
            Assert.Equal(1, VectorSimilarity.Cosine(fixture.Encoder.EncodeOne(texts[i], TextRole.Query), vectors[i]), 5));
        Assert.True(counting.Calls < texts.Count, $"{counting.Calls} encoder calls for {texts.Count} concurrent texts");
        Assert.True(counting.LargestBatch is > 1 and <= 8, $"largest batch {counting.LargestBatch}");
    }

    [Fact]
    public async Task EncodeOneAsync_Alone_WaitsAtMostMaxWait_AndEncodes()
    {
        using var batching = new MicroBatchingEncoder(fixture.Encoder, maxBatch: 8, maxWait: TimeSpan.FromMilliseconds(2));

        var vector = await batching.EncodeOneAsync("garden hose", TextRole.Document, TestContext.Current.CancellationToken);

        Assert.Equal(1, VectorSimilarity.Cosine(fixture.Encoder.EncodeOne("garden hose", TextRole.Document), vector), 5);
    }

    private sealed class CountingEncoder(ITextEncoder inner) : ITextEncoder
    {
        private int _calls;
        private int _largest;

        public int Calls => _calls;

        public int LargestBatch => _largest;

        public int Dimension => inner.Dimension;

        public string Identity => inner.Identity;

        public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            int seen;
            while ((seen = _largest) < texts.Count && Interlocked.CompareExchange(ref _largest, texts.Count, seen) != seen)
            {
            }

            return inner.Encode(texts, role, progress, cancellationToken);
        }
    }
}
