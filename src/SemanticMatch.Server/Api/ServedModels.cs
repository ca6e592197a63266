using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Server.Api;

/// <summary>
/// The models a read-scope request may name (embed, embeddings, match, rerank): the bundled ones, and the models and
/// re-rankers the server's collections use, spelled as their settings spell them. Anything else — any other path on
/// the server — is refused with one message that says nothing about the file system. Creating a collection (admin)
/// may name a model directory, which is then served.
/// </summary>
internal sealed class ServedModels(ICollectionStore store)
{
    private static readonly string[] s_bundled =
        [.. BundledModels.All.SelectMany(m => new[] { m.Key, m.Key + BundledModels.Int8Suffix })];

    /// <summary>Every model a request may name: the bundled ones, then the collections' models and re-rankers.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var collections = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        return s_bundled.Concat(collections.SelectMany(c => new[] { c.Settings.Model, c.Settings.Reranker }).OfType<string>()
                .SelectMany(m => m.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries)))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The model to use for <paramref name="model"/> (null: the default).</summary>
    /// <exception cref="InvalidRequestException">It is not served here.</exception>
    public async Task<string> CheckAsync(string? model, string field, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(model) ? BundledModels.DefaultKey : model;
        if (s_bundled.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return name;
        }

        var parts = name.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries);
        var served = (await store.ListAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(c => new[] { c.Settings.Model, c.Settings.Reranker })
            .OfType<string>()
            .SelectMany(m => m.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries).Append(m))
            .ToHashSet(StringComparer.Ordinal);
        return parts.All(p => s_bundled.Contains(p, StringComparer.OrdinalIgnoreCase) || served.Contains(p))
            ? name
            : throw new InvalidRequestException(
                $"{field}: '{name}' is not a model served here; use {string.Join(", ", s_bundled)}, or a model or re-ranker of one of the collections (as GET /v1/collections names it)");
    }
}

/// <summary>A model named in a path (<c>GET /v1/models/{id}</c>) is not served here: 404.</summary>
internal sealed class ModelNotFoundException(string message) : InvalidRequestException(message);
