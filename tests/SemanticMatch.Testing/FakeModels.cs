using SemanticMatch.Core;

namespace SemanticMatch.Testing;

/// <summary>Serves the hashing fake for every model name except "missing".</summary>
public sealed class FakeModels : IModelProvider
{
    private readonly HashingEncoder _encoder = new();

    public ITextEncoder Encoder(string model) =>
        model == "missing" ? throw new InvalidRequestException("unknown model 'missing'") : _encoder;

    public IPairScorer Reranker(string model) => throw new InvalidRequestException($"unknown re-ranker '{model}'");

    public IPairScorer Scorer(string model, Core.Similarity.SimilarityMetric similarity = Core.Similarity.SimilarityMetric.Cosine) =>
        new Core.Similarity.EmbeddingPairScorer(Encoder(model), similarity);

    public void Dispose()
    {
    }
}
