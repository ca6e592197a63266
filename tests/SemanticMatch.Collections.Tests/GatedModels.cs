using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>"minilm" is the hashing fake; "gated" is another hashing fake whose document batches can be held at a gate.</summary>
internal sealed class GatedModels : IModelProvider
{
    private readonly HashingEncoder _plain = new();
    private readonly GatedEncoder _gated;

    public GatedModels() => _gated = new GatedEncoder(this);

    public SemaphoreSlim Gate { get; } = new(0);

    public volatile bool Armed;

    /// <summary>While set, the gated model fails every document batch (a model that cannot encode).</summary>
    public volatile bool Failing;

    public int GatedEncoded => _gated.Encoded;

    /// <summary>Document batches held at the gate now.</summary>
    public int Held => Volatile.Read(ref _held);

    private int _held;

    public ITextEncoder Encoder(string model) => model == "gated" ? _gated : _plain;

    public IPairScorer Reranker(string model) => throw new InvalidRequestException($"unknown re-ranker '{model}'");

    public IPairScorer Scorer(string model, Core.Similarity.SimilarityMetric similarity = Core.Similarity.SimilarityMetric.Cosine) =>
        new Core.Similarity.EmbeddingPairScorer(Encoder(model), similarity);

    public void Dispose() => Gate.Dispose();

    private sealed class GatedEncoder(GatedModels owner) : ITextEncoder
    {
        private readonly HashingEncoder _inner = new("gated-64");
        private int _encoded;

        public int Encoded => Volatile.Read(ref _encoded);

        public int Dimension => _inner.Dimension;

        public string Identity => _inner.Identity;

        public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            if (role == TextRole.Document && owner.Failing)
            {
                throw new InvalidOperationException("the gated model failed");
            }

            if (role == TextRole.Document && owner.Armed)
            {
                Interlocked.Increment(ref owner._held);
                try
                {
                    owner.Gate.Wait(cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref owner._held);
                }
            }

            Interlocked.Add(ref _encoded, role == TextRole.Document ? texts.Count : 0);
            return _inner.Encode(texts, role, progress, cancellationToken);
        }
    }
}
