using Microsoft.Extensions.AI;

namespace SemanticMatch.Client;

/// <summary>
/// A served bi-encoder as Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: Semantic
/// Kernel, the vector-store connectors and anything else written against the abstraction embed through the service.
/// Texts are embedded as documents, or as queries when created so (models with a query prefix embed them differently).
/// </summary>
public sealed class SemanticMatchEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SemanticMatchClient _client;
    private readonly string _model;
    private readonly bool _asQueries;

    internal SemanticMatchEmbeddingGenerator(SemanticMatchClient client, string model, bool asQueries)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        (_client, _model, _asQueries) = (client, model, asQueries);
        Metadata = new EmbeddingGeneratorMetadata("semanticmatch", defaultModelId: model);
    }

    /// <summary>The provider (semanticmatch) and the model.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var model = options?.ModelId ?? _model;
        var vectors = await _client.EmbedAsync(values.ToList(), model, _asQueries, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = model, CreatedAt = created }));
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType?.IsInstanceOfType(this) == true ? this
        : serviceType == typeof(SemanticMatchClient) ? _client
        : null;

    /// <summary>The generator does not own the client: disposing it does nothing.</summary>
    public void Dispose()
    {
    }
}
