using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;
using SemanticMatch.Server.Feedback;
using SemanticMatch.Server.Hosting;

namespace SemanticMatch.Server.Api;

/// <summary>The traffic log's routes: events about logged searches, the older feedback posts, and the judgments estimated from them.</summary>
internal static class TrafficEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPost("/collections/{name}/events", EventsAsync).Needs(Scope.Write).WithMetadata(new WritesMetadata())
            .WithMetadata(new ArrayBodyMetadata(typeof(EventRequest)))
            .WithName("recordEvents").WithSummary("Log what shoppers did with the hits of a search (by its queryId); UBI 1.0 events accepted").WithTags("Feedback");
        v1.MapPost("/collections/{name}/feedback", FeedbackAsync).Needs(Scope.Write).WithMetadata(new WritesMetadata())
            .WithName("recordFeedback").WithSummary("Log what a shopper was shown and did (older form of events)").WithTags("Feedback");
        v1.MapGet("/collections/{name}/judgments", JudgmentsAsync).Needs(Scope.Admin)
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithName("getJudgments").WithSummary("Judgments estimated from the logged searches and events, as the CSV `semmatch train` reads").WithTags("Feedback");
        v1.MapGet("/collections/{name}/analytics", AnalyticsAsync).Needs(Scope.Admin)
            .WithName("getAnalytics").WithSummary("Top queries, queries without results or clicks, click-through rate and click position over a window").WithTags("Feedback");
    }

    /// <summary>Who sent a search without a session id: the API key's name, else the client's address (hashed before it is stored).</summary>
    public static string? ClientOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } key } ? "key:" + key : http.Connection.RemoteIpAddress?.ToString();

    private static async Task<EventsResponse> EventsAsync(string name, JsonElement body, ICollectionStore store, TrafficLog traffic, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        var events = TrafficMapping.ToEvents(body);
        var hashed = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var session in events.Select(e => e.Session).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            hashed[session] = await traffic.HashSessionAsync(session, cancellationToken);
        }

        var stored = events.Select(e => e with { Session = e.Session is null ? null : hashed[e.Session] }).ToList();
        await traffic.AppendAsync(name, new TrafficEntry(DateTimeOffset.UtcNow, null, stored), cancellationToken);
        return new EventsResponse(stored.Count);
    }

    private static async Task<NoContent> FeedbackAsync(string name, FeedbackRequest body, ICollectionStore store, TrafficLog traffic, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        TrafficMapping.CheckSession(body.Session);
        var entry = TrafficMapping.FromFeedback(body, await traffic.HashSessionAsync(body.Session, cancellationToken));
        await traffic.AppendAsync(name, entry, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<SearchAnalyticsReport> AnalyticsAsync(string name, string? from, string? to, int? limit, ICollectionStore store,
        TrafficLog traffic, CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        var (start, end) = AnalyticsWindow.Parse(from, to, DateTimeOffset.UtcNow);
        return await SearchAnalytics.ComputeAsync(traffic.Store.ReadAsync(name, cancellationToken), start, end, limit ?? SearchAnalytics.DefaultListed, cancellationToken);
    }

    private static async Task<IResult> JudgmentsAsync(string name, string? clickModel, int? minEvidence, ICollectionStore store, TrafficLog traffic,
        CancellationToken cancellationToken)
    {
        await store.DescribeAsync(name, cancellationToken);
        var options = new JudgmentOptions { ClickModel = ClickModels.Parse(clickModel, "clickModel"), MinEvidence = minEvidence ?? new JudgmentOptions().MinEvidence };
        var judgments = await JudgmentEstimator.EstimateAsync(traffic.Store, name, options, cancellationToken);
        return TypedResults.Text(judgments.ToCsv(), "text/csv; charset=utf-8");
    }
}
