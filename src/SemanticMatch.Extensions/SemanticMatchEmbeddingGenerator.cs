using Microsoft.Extensions.AI;
using SemanticMatch.Core;

namespace SemanticMatch.Extensions;

/// <summary>
/// A Microsoft.Extensions.AI embedding generator over a SemanticMatch encoder, so applications and vector-store
/// connectors that take an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> use our models (bundled, int8 or
/// fine-tuned) directly, in process.
/// </summary>
/// <remarks>
/// Texts are embedded as documents; pass <c>AdditionalProperties["semanticmatch.role"] = "query"</c> to embed queries
/// (models such as ArcticXs prefix them). Thread-safe. The encoder belongs to the model provider, not to this object.
/// </remarks>
public sealed class SemanticMatchEmbeddingGenerator(ITextEncoder encoder, string modelId) : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The option key selecting the text role ("query" or "document").</summary>
    public const string RoleProperty = "semanticmatch.role";

    private readonly EmbeddingGeneratorMetadata _metadata = new("SemanticMatch", null, modelId, encoder.Dimension);

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != encoder.Dimension)
        {
            throw new InvalidRequestException($"{modelId} makes {encoder.Dimension}-dimensional embeddings, not {dimensions}");
        }

        if (options?.ModelId is { } requested && requested != modelId)
        {
            throw new InvalidRequestException($"this generator serves {modelId}, not {requested}");
        }

        var role = options?.AdditionalProperties?.TryGetValue(RoleProperty, out var value) == true && value is "query" ? TextRole.Query : TextRole.Document;
        var texts = values.ToList();
        var vectors = encoder.Encode(texts, role, cancellationToken: cancellationToken);
        var created = DateTimeOffset.UtcNow;
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(
            vectors.Select(v => new Embedding<float>(v) { ModelId = modelId, CreatedAt = created }));
        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(encoder) ? encoder
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
