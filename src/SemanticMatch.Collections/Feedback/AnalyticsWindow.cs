using System.Globalization;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Feedback;

/// <summary>The time window of an analytics report, as the API and the CLI take it.</summary>
public static class AnalyticsWindow
{
    /// <summary>The window when neither end is given: the last 30 days.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(30);

    /// <summary>
    /// [from, to) from ISO 8601 dates or times (a date alone is midnight UTC; a time without an offset is UTC); <c>to</c>
    /// defaults to <paramref name="now"/>, <c>from</c> to 30 days before <c>to</c>.
    /// </summary>
    /// <exception cref="InvalidRequestException">A value that is not a date or time, or a window that ends before it starts.</exception>
    public static (DateTimeOffset From, DateTimeOffset To) Parse(string? from, string? to, DateTimeOffset now, string fromName = "from", string toName = "to")
    {
        var end = to is null ? now : Time(to, toName);
        var start = from is null ? end - Default : Time(from, fromName);
        if (end <= start)
        {
            throw new InvalidRequestException($"{fromName}: {start:O} is not before {toName}: {end:O}");
        }

        return (start, end);
    }

    private static DateTimeOffset Time(string value, string name) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new InvalidRequestException($"{name}: '{value}' is not an ISO 8601 date or time (e.g. 2026-12-01 or 2026-12-01T09:00:00Z)");
}
