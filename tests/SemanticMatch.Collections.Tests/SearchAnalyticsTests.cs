using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Tests;

/// <summary>Search analytics over a small log whose answers are counted by hand.</summary>
public sealed class SearchAnalyticsTests
{
    private static readonly DateTimeOffset s_day = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    private static TrafficEntry Search(string id, string? query, int hours, params string[] hits) =>
        new(s_day.AddHours(hours), new LoggedSearch(id, query, query, "hybrid", [], 0, 0, hits, null), null);

    private static TrafficEntry Events(int hours, params (string QueryId, EventAction Action, string Id, int Position)[] events) =>
        new(s_day.AddHours(hours), null, events.Select(e => new LoggedEvent(e.QueryId, e.Action, e.Id, e.Position, null)).ToList());

    private static readonly TrafficEntry[] s_log =
    [
        Search("q1", "Cordless Drill", 1, "d1", "d2", "d3"),
        Events(1, ("q1", EventAction.Impression, "d1", 1), ("q1", EventAction.Click, "d2", 2), ("q1", EventAction.Click, "d2", 2)),
        Search("q2", "cordless  drill", 2, "d1", "d2"),
        Events(2, ("q2", EventAction.Click, "d1", 1), ("q2", EventAction.Purchase, "d1", 1)),
        Search("q3", "cordless drill", 3, "d1"),
        Search("q4", "flux capacitor", 4),
        Search("q5", "flux capacitor", 30),
        Search("q6", "garden hose", 26, "h1", "h2"),
        Events(27, ("q6", EventAction.Impression, "h1", 1), ("q6", EventAction.Reject, "h1", 1)),
        Search("q7", null, 28, "h1"),
        Events(29, ("q7", EventAction.AddToCart, "h1", 1)),
        // A second page of q1: the same search going on, not another one.
        new(s_day.AddHours(5), new LoggedSearch("q8", "cordless drill", "cordless drill", "hybrid", [], 10, 10, ["d9"], null), null),
        // Outside the window, and a click on it that arrives inside.
        Search("q9", "cordless drill", -5, "d1"),
        Events(6, ("q9", EventAction.Click, "d1", 1)),
        // An event about a search never logged (lost or pruned).
        Events(7, ("lost", EventAction.Click, "x", 4)),
    ];

    [Fact]
    public async Task Totals_CountFirstPagesInTheWindow_AndEachClickedHitOnce()
    {
        var report = await SearchAnalytics.ComputeAsync(s_log.ToAsyncEnumerable(), s_day, s_day.AddDays(2));

        Assert.Equal(7, report.Searches);            // q1-q7: the second page and the search before the window left out
        Assert.Equal(1, report.WithoutQueryText);    // q7
        Assert.Equal(2, report.NoResults);           // q4, q5
        Assert.Equal(3, report.Clicked);             // q1 (d2), q2 (d1), q7 (cart add without a click)
        Assert.Equal(3 / 5.0, report.ClickThroughRate, 10); // of the five searches with results
        Assert.Equal((2 + 1 + 1) / 3.0, report.MeanClickPosition!.Value, 10);
        Assert.Equal([new DailySearches(new DateOnly(2026, 11, 30), 4, 1, 2), new DailySearches(new DateOnly(2026, 12, 1), 3, 1, 1)], report.Days);
    }

    [Fact]
    public async Task Queries_AreGroupedAsTyped_InLowerCase_AndListedByHowOftenTheyWereSearched()
    {
        var report = await SearchAnalytics.ComputeAsync(s_log.ToAsyncEnumerable(), s_day, s_day.AddDays(2));

        Assert.Equal(
        [
            new QueryAnalytics("cordless drill", 3, 0, 2, 2 / 3.0, 1.5),
            new QueryAnalytics("flux capacitor", 2, 2, 0, 0, null),
            new QueryAnalytics("garden hose", 1, 0, 0, 0, null),
        ], report.TopQueries);
        Assert.Equal(["flux capacitor"], report.NoResultQueries.Select(q => q.Query));
        Assert.Equal(["garden hose"], report.NoClickQueries.Select(q => q.Query)); // a rejection is not a click
    }

    [Fact]
    public async Task TheWindow_IsHalfOpen_AndTheLimitCutsEachList()
    {
        var firstDay = await SearchAnalytics.ComputeAsync(s_log.ToAsyncEnumerable(), s_day, s_day.AddHours(26), listed: 1);

        Assert.Equal(4, firstDay.Searches); // q6 at hour 26 is the end, left out
        Assert.Equal(["cordless drill"], firstDay.TopQueries.Select(q => q.Query));
        await Assert.ThrowsAsync<Core.InvalidRequestException>(() => SearchAnalytics.ComputeAsync(s_log.ToAsyncEnumerable(), s_day, s_day.AddDays(1), listed: 0));
    }

    [Theory]
    [InlineData("2026-12-01", null, "2026-12-01T00:00:00.0000000+00:00", "2026-12-02T09:00:00.0000000+00:00")]
    [InlineData(null, "2026-12-01T12:00:00+02:00", "2026-11-01T10:00:00.0000000+00:00", "2026-12-01T10:00:00.0000000+00:00")]
    public void AWindow_IsReadAsIso8601InUtc_WithThirtyDaysByDefault(string? from, string? to, string start, string end)
    {
        var (parsedFrom, parsedTo) = AnalyticsWindow.Parse(from, to, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

        Assert.Equal(start, parsedFrom.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(end, parsedTo.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("yesterday", null, "from: 'yesterday' is not an ISO 8601 date or time")]
    [InlineData("2026-12-02", "2026-12-01", "from: 2026-12-02T00:00:00.0000000+00:00 is not before to: 2026-12-01T00:00:00.0000000+00:00")]
    public void ABadWindow_IsNamed(string from, string? to, string message)
    {
        var error = Assert.Throws<Core.InvalidRequestException>(() => AnalyticsWindow.Parse(from, to, DateTimeOffset.UtcNow));

        Assert.StartsWith(message, error.Message);
    }
}
