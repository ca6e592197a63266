using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticMatch.Collections.Feedback;

/// <summary>What a shopper did with a hit (the UBI 1.0 action names).</summary>
public enum EventAction
{
    /// <summary>The hit was shown (on screen).</summary>
    Impression,

    /// <summary>The hit was clicked.</summary>
    Click,

    /// <summary>The product was put in the cart.</summary>
    AddToCart,

    /// <summary>The product was bought.</summary>
    Purchase,

    /// <summary>The shopper marked the hit not relevant (the search page's thumbs-down).</summary>
    Reject,
}

/// <summary>A search as the server answered it: what was asked, how it was prepared, and what was shown where.</summary>
/// <param name="QueryId">The id the answer carried, which events refer to.</param>
/// <param name="Query">The query as typed; null when query logging is off.</param>
/// <param name="Searched">The query as searched (normalised, spelling corrected); null when query logging is off.</param>
/// <param name="Method">bm25, dense or hybrid.</param>
/// <param name="Filters">The filters, as given (empty when none).</param>
/// <param name="Generation">The model generation that ranked.</param>
/// <param name="Offset">Hits skipped before the first shown (the page).</param>
/// <param name="Hits">Ids of the hits shown, in order: position = offset + index + 1.</param>
/// <param name="Session">The session (or client) id, hashed with the store's salt.</param>
/// <param name="Interleaving">When the hits were a team-draft interleaving of two rankings: which side each came from.</param>
public sealed record LoggedSearch(string QueryId, string? Query, string? Searched, string Method, IReadOnlyList<string> Filters, int Generation,
    int Offset, IReadOnlyList<string> Hits, string? Session, Interleaving? Interleaving = null);

/// <summary>How an interleaved search's hits were drawn.</summary>
/// <param name="Candidate">The collection interleaved against the one searched.</param>
/// <param name="Teams">One letter a hit, in order: 'A' drawn from the collection searched, 'B' from the candidate.</param>
public sealed record Interleaving(string Candidate, string Teams);

/// <summary>One thing a shopper did with one hit of a logged search.</summary>
/// <param name="QueryId">The search it refers to.</param>
/// <param name="Action">What they did.</param>
/// <param name="ObjectId">The record id.</param>
/// <param name="Position">Where the hit was shown, 1-based.</param>
/// <param name="Session">The session id, hashed with the store's salt.</param>
public sealed record LoggedEvent(string QueryId, EventAction Action, string ObjectId, int Position, string? Session);

/// <summary>
/// One line of a collection's traffic log: a search, the events of one request, or both (a <c>/feedback</c> post is
/// logged as a search and its events at once). Written and read as one unit: a line is whole or not there.
/// </summary>
/// <param name="Time">When it was logged (UTC).</param>
/// <param name="Search">The search, or null.</param>
/// <param name="Events">The events, or null.</param>
public sealed record TrafficEntry(DateTimeOffset Time, LoggedSearch? Search, IReadOnlyList<LoggedEvent>? Events)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The line as stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>
    /// Reads a stored line: an entry, or a feedback event of an older log (query, shown, clicked, purchased, rejected),
    /// which becomes the search it describes and its events. Null for a line that is neither (cut short by a crash).
    /// </summary>
    public static TrafficEntry? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("search", out _) || root.TryGetProperty("events", out _))
            {
                return root.Deserialize<TrafficEntry>(s_json);
            }

            return root.Deserialize<FeedbackEvent>(s_json) is { Query: not null, Shown: not null } legacy ? FromFeedback(legacy, "f-" + legacy.Time.ToUnixTimeMilliseconds()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A feedback post as a search (its shown list, in order, then any other id it names) and its events: an impression
    /// per shown id, a click, a purchase or a rejection per id listed.
    /// </summary>
    public static TrafficEntry FromFeedback(FeedbackEvent feedback, string queryId)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var shown = feedback.Shown ?? [];
        // Ids acted on but not in the shown list were shown all the same: they follow it, in the order named.
        var hits = shown.Concat((feedback.Clicked ?? []).Concat(feedback.Purchased ?? []).Concat(feedback.Rejected ?? []))
            .Distinct(StringComparer.Ordinal).ToList();
        int PositionOf(string id) => hits.IndexOf(id) + 1;
        var events = shown.Select((id, i) => new LoggedEvent(queryId, EventAction.Impression, id, i + 1, feedback.Session))
            .Concat((feedback.Clicked ?? []).Select(id => new LoggedEvent(queryId, EventAction.Click, id, PositionOf(id), feedback.Session)))
            .Concat((feedback.Purchased ?? []).Select(id => new LoggedEvent(queryId, EventAction.Purchase, id, PositionOf(id), feedback.Session)))
            .Concat((feedback.Rejected ?? []).Select(id => new LoggedEvent(queryId, EventAction.Reject, id, PositionOf(id), feedback.Session)))
            .ToList();
        var search = new LoggedSearch(queryId, feedback.Query, feedback.Query, "unknown", [], 0, 0, hits, feedback.Session);
        return new TrafficEntry(feedback.Time, search, events);
    }
}
