using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Extensions;

/// <summary>Registers SemanticMatch in a .NET application's service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IModelProvider"/> (models loaded once, shared), an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
    /// over <see cref="SemanticMatchOptions.Model"/>, and, when <see cref="SemanticMatchOptions.DataDirectory"/> is set,
    /// an <see cref="ICollectionStore"/> of embedded collections there (opened, and so recovered, on first use).
    /// </summary>
    public static IServiceCollection AddSemanticMatch(this IServiceCollection services, Action<SemanticMatchOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<SemanticMatchOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.AddSingleton<IModelProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SemanticMatchOptions>>().Value;
            return new ModelProvider(options.ModelStore, new EncoderOptions { Threads = Math.Max(1, options.EncoderThreads) });
        });
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SemanticMatchOptions>>().Value;
            return new SemanticMatchEmbeddingGenerator(sp.GetRequiredService<IModelProvider>().Encoder(options.Model), options.Model);
        });
        services.AddSingleton<ICollectionStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SemanticMatchOptions>>().Value;
            return options.DataDirectory is { } data
                ? EmbeddedCollectionStore.Open(data, sp.GetRequiredService<IModelProvider>())
                : throw new InvalidOperationException("set SemanticMatchOptions.DataDirectory to use collections");
        });
        return services;
    }
}
