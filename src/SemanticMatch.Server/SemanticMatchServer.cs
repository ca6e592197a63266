using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Scalar.AspNetCore;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Server.Api;
using SemanticMatch.Server.Hosting;

namespace SemanticMatch.Server;

/// <summary>Runs the matching service until it is stopped; everything acknowledged is durable (on disk or committed) before it returns.</summary>
public static class SemanticMatchServer
{
    /// <summary>
    /// Opens (recovers) the store, starts listening, writes <c>listening on URL</c> to <paramref name="output"/>,
    /// and serves until <paramref name="cancellationToken"/> fires or the host is told to stop (SIGTERM, Ctrl-C).
    /// </summary>
    public static async Task RunAsync(ServerOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        // One ONNX Runtime thread per call and no spinning: concurrent requests are the parallelism, and spinning
        // threads of idle sessions would take the two cores from the running ones. A bulk encoding (a large upsert, a
        // generation build) runs its forward passes on every core.
        using var models = new ModelProvider(options: new EncoderOptions { Threads = 1, AllowSpinning = false, BatchParallelism = Environment.ProcessorCount },
            microBatch: options.MicroBatch);
        await using var storage = await ServiceStorage.OpenAsync(options, models, cancellationToken);
        await DemoCollection.EnsureAsync(storage.Collections, options.DemoFolder, cancellationToken);
        var keys = ApiKeys.Load(options.DataDirectory);
        await using var app = Build(options, storage, models, keys);
        await app.StartAsync(cancellationToken);
        output.WriteLine($"collections in the {storage.Description}");
        foreach (var (name, reason) in storage.Unavailable)
        {
            output.WriteLine($"collection '{name}' is not served: {reason}");
        }

        output.WriteLine(keys.Any
            ? $"API keys required ({Path.Combine(options.DataDirectory, "keys.json")})"
            : "no API keys in the data directory: the service is open to anyone who can reach it (add one with 'semmatch keys add')");
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            output.WriteLine($"listening on {url}");
        }

        output.Flush();
        await app.WaitForShutdownAsync(cancellationToken);
    }

    /// <summary>The OpenTelemetry <c>service.name</c> the service reports (Prometheus shows it as <c>target_info{job="semanticmatch"}</c>).</summary>
    public const string ServiceName = "semanticmatch";

    internal static WebApplication Build(ServerOptions options, ServiceStorage storage, IModelProvider models, ApiKeys keys)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        if (options.ConfigFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(options.ConfigFile), optional: false);
        }

        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no per-request lines (they carry paths); errors still logged
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout is for "listening on"
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJson.Default);
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict; // numbers are numbers (and the OpenAPI document says so)
            o.SerializerOptions.Converters.Add(new RecordJson()); // {"id", ...fields}, as records are uploaded
        });
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // ProblemMapping answers with the reason
        builder.Services.AddSingleton<IProblemDetailsWriter, ClientErrorShapes>(); // before the default writer: OpenAI, Cohere and TEI routes answer their clients' shape
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions.TryAdd("code", ErrorCodes.For(c.Exception, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode)));
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi(ApiDescription.Configure);
        builder.Services.AddApiKeys();
        builder.Services.AddPerKeyRateLimit(options.RequestsPerSecondPerKey);
        builder.Services.AddSingleton(storage.Collections);
        builder.Services.AddSingleton(storage.Aliases);
        builder.Services.AddSingleton(storage.Experiments);
        builder.Services.AddSingleton(storage.Feedback);
        builder.Services.AddSingleton(models);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(storage.Traffic);
        builder.Services.AddSingleton<ServedModels>();
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddSingleton(services => new AdmissionGate(options.MaxConcurrent, options.MaxQueue, services.GetRequiredService<ServiceMetrics>()));
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(SemanticMatchServer).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", ServiceMetrics.MeterName,
                EncoderMetrics.MeterName, CollectionMetrics.MeterName)
            .AddPrometheusExporter());

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RawPath.RefuseDotSegmentsAsync);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.Use(ServiceMetrics.RefreshBeforeScrapeAsync);
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapPrometheusScrapingEndpoint().AllowAnonymous().WithMetadata(new ServiceMetrics.RefreshesCollectionGauges());
        app.MapGet("/healthz", () => TypedResults.Ok()).ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/readyz", () => TypedResults.Ok()).ExcludeFromDescription().AllowAnonymous(); // listening only starts after recovery
        Endpoints.Map(app);
        OpenAiCompatible.Map(app);
        SearchPage.Map(app);
        _ = app.Services.GetRequiredService<AdmissionGate>();
        return app;
    }
}
