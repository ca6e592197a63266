using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Postgres;

namespace SemanticMatch.Extensions;

/// <summary>Registers SemanticMatch in a .NET application's service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IModelProvider"/> (models loaded once, shared), an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
    /// over <see cref="SemanticMatchOptions.Model"/>, and, when <paramref name="configure"/> sets
    /// <see cref="SemanticMatchOptions.DataDirectory"/>, an <see cref="ICollectionStore"/> of embedded collections there
    /// (opened, and so recovered, on first use). For collections in PostgreSQL add <see cref="AddSemanticMatchPostgres"/>.
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
        var given = new SemanticMatchOptions();
        configure?.Invoke(given);
        if (given.DataDirectory is not null)
        {
            services.AddSingleton<ICollectionStore>(sp => EmbeddedCollectionStore.Open(
                sp.GetRequiredService<IOptions<SemanticMatchOptions>>().Value.DataDirectory ?? given.DataDirectory, sp.GetRequiredService<IModelProvider>()));
        }

        return services;
    }

    /// <summary>
    /// Adds an <see cref="ICollectionStore"/> of collections in PostgreSQL with pgvector (after <see cref="AddSemanticMatch"/>,
    /// whose models it embeds with): opened, and its schema migrated, on first use, so resolving it never blocks.
    /// </summary>
    public static IServiceCollection AddSemanticMatchPostgres(this IServiceCollection services, PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<ICollectionStore>(sp => new OpeningCollectionStore(async cancellationToken =>
            await PostgresCollectionStore.OpenAsync(sp.GetRequiredService<IModelProvider>(), options, cancellationToken)));
        return services;
    }
}
