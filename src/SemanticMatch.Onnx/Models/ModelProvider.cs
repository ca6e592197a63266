using System.Collections.Concurrent;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Encoding;

namespace SemanticMatch.Onnx.Models;

/// <summary>Loads ONNX encoders and cross-encoders by name on first use (see <see cref="BundledModels.Resolve"/>) and caches them.</summary>
/// <remarks>
/// Thread-safe; a model that fails to load is not cached, so a fixed model directory can be retried. With
/// <paramref name="microBatch"/> &gt; 1, single-text encodings from concurrent callers are gathered into batches of up to
/// that many (see <see cref="MicroBatchingEncoder"/>).
/// </remarks>
public sealed class ModelProvider(string? store = null, EncoderOptions? options = null, int microBatch = 0) : IModelProvider
{
    private readonly ConcurrentDictionary<string, Lazy<ITextEncoder>> _encoders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<IOwnedPairScorer>> _rerankers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _identities = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ITextEncoder Encoder(string model) =>
        Get(_encoders, IdentityOf(model), () =>
        {
            var encoder = OnnxEncoder.Create(BundledModels.Resolve(model, store), options);
            return microBatch > 1 ? new MicroBatchingEncoder(encoder, microBatch, ownsInner: true) : encoder;
        });

    /// <inheritdoc />
    public IPairScorer Reranker(string model) =>
        Get(_rerankers, string.Join(EnsemblePairScorer.Separator, model.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries).Select(IdentityOf)),
            () => OnnxCrossEncoder.Open(model, store, options));

    /// <inheritdoc />
    public IPairScorer Scorer(string model, SimilarityMetric similarity = SimilarityMetric.Cosine) =>
        BundledModels.Resolve(model, store).Config.Kind == ModelKind.BiEncoder ? new EmbeddingPairScorer(Encoder(model), similarity) : Reranker(model);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var model in _encoders.Values.Where(l => l.IsValueCreated))
        {
            (model.Value as IDisposable)?.Dispose();
        }

        foreach (var model in _rerankers.Values.Where(l => l.IsValueCreated))
        {
            model.Value.Dispose();
        }
    }

    // What a model is, whatever the spelling of its name or path: its directory's content fingerprint, so a bundled key
    // and the path of its directory, two paths to one directory, or two copies of it share one loaded model.
    private string IdentityOf(string model) =>
        _identities.GetOrAdd(BundledModels.Location(model), location => BundledModels.Resolve(location, store).Fingerprint);

    private static T Get<T>(ConcurrentDictionary<string, Lazy<T>> cache, string key, Func<T> load)
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<T>(load, LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<T>>(key, lazy));
            throw;
        }
    }
}
