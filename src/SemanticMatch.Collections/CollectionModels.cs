using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>The models of a collection, loaded and checked against each other (a ranker's cross-encoder must be the re-ranker).</summary>
/// <param name="Encoder">The bi-encoder.</param>
/// <param name="Reranker">The cross-encoder, or null.</param>
/// <param name="Ranker">The learned ranker, or null.</param>
public sealed record CollectionModels(ITextEncoder Encoder, IPairScorer? Reranker, IResultRanker? Ranker)
{
    /// <summary>Loads the models <paramref name="settings"/> name.</summary>
    /// <param name="settings">The collection's settings.</param>
    /// <param name="models">Loads encoders and cross-encoders.</param>
    /// <param name="rankers">Loads a learned ranker from its location; null = the store cannot load rankers.</param>
    /// <exception cref="InvalidRequestException">A model or the ranker cannot be loaded, or the ranker reads another cross-encoder.</exception>
    public static CollectionModels Load(CollectionSettings settings, IModelProvider models, Func<string, IResultRanker>? rankers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(models);
        var encoder = models.Encoder(settings.Model);
        var reranker = settings.Reranker is null ? null : models.Reranker(settings.Reranker);
        if (settings.Ranker is null)
        {
            return new CollectionModels(encoder, reranker, null);
        }

        var load = rankers ?? throw new InvalidRequestException("ranker: this service cannot load learned rankers");
        var ranker = load(settings.Ranker);
        if (ranker.CrossEncoder is { } crossEncoder && !string.Equals(crossEncoder, settings.Reranker, StringComparison.Ordinal))
        {
            throw new InvalidRequestException(
                $"ranker: '{settings.Ranker}' reads the scores of cross-encoder '{crossEncoder}'; set \"reranker\": \"{crossEncoder}\"");
        }

        return new CollectionModels(encoder, reranker, ranker);
    }
}
