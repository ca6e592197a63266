using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Experiments;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;
using SemanticMatch.Server.Hosting;

namespace SemanticMatch.Server.Api;

/// <summary>
/// Interleaving experiments: <c>PUT .../experiment</c> interleaves a share of a collection's first-page searches with a
/// candidate's ranking, <c>GET</c> reports who the clicks preferred, <c>DELETE</c> stops it (its log stays).
/// </summary>
internal static class ExperimentEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPut("/collections/{name}/experiment", StartAsync).Needs(Scope.Admin).WithMetadata(new WritesMetadata())
            .WithName("startExperiment").WithSummary("Interleave a share of the collection's searches with a candidate collection's ranking (team draft)").WithTags("Experiments");
        v1.MapGet("/collections/{name}/experiment", ReportAsync).Needs(Scope.Admin)
            .WithName("experimentReport").WithSummary("Wins, losses and ties of each candidate over a window, with a 95% interval").WithTags("Experiments");
        v1.MapDelete("/collections/{name}/experiment", StopAsync).Needs(Scope.Admin).WithMetadata(new WritesMetadata())
            .WithName("stopExperiment").WithSummary("Stop the collection's experiment (204 whether one ran or not; its searches stay in the log)").WithTags("Experiments");
    }

    private static async Task<ExperimentResponse> StartAsync(string name, ExperimentRequest? body, ICollectionStore store, ICollectionAliases aliases,
        ICollectionExperiments experiments, CancellationToken cancellationToken)
    {
        if (body?.Candidate is not { } candidate)
        {
            throw new InvalidRequestException("candidate: must be given, the collection to compare against, e.g. {\"candidate\": \"shop-v2\", \"share\": 0.1}");
        }

        await store.DescribeAsync(name, cancellationToken);
        var experiment = new Experiment(name, await aliases.ResolveAliasAsync(candidate, cancellationToken) ?? candidate, body.Share ?? 0.1, DateTimeOffset.UtcNow);
        await experiments.StartExperimentAsync(experiment, cancellationToken);
        return Response(experiment);
    }

    private static async Task<ExperimentReportResponse> ReportAsync(string name, string? from, string? to, ICollectionStore store,
        ICollectionExperiments experiments, TrafficLog traffic, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        var running = await experiments.ExperimentAsync(name, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var (start, end) = from is null && to is null && running is not null ? (running.Started, now.AddTicks(1)) : AnalyticsWindow.Parse(from, to, now);
        var results = await InterleavingReport.ComputeAsync(traffic.Store.ReadAsync(name, cancellationToken), start, end, cancellationToken);
        return new ExperimentReportResponse(running is null ? null : Response(running), start, end, results);
    }

    private static async Task<NoContent> StopAsync(string name, ICollectionStore store, ICollectionExperiments experiments, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        await experiments.StopExperimentAsync(name, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ExperimentResponse Response(Experiment e) => new(e.Collection, e.Candidate, e.Share, e.Started);
}
