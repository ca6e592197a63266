using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;
using SemanticMatch.Server.Api;

namespace SemanticMatch.Server.Feedback;

/// <summary>
/// Checks what clients post to the traffic log (events, and the older feedback posts) and turns it into log entries.
/// A request is checked whole before anything is stored: one bad event refuses the request, naming the event.
/// </summary>
internal static class TrafficMapping
{
    /// <summary>Most events (or ids in one list of a feedback post) in one request.</summary>
    public const int MaxEvents = 1000;

    /// <summary>Longest query id or session id accepted.</summary>
    public const int MaxIdLength = 256;

    private static readonly Dictionary<string, EventAction> s_actions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["impression"] = EventAction.Impression,
        ["click"] = EventAction.Click,
        ["add_to_cart"] = EventAction.AddToCart,
        ["purchase"] = EventAction.Purchase,
        ["reject"] = EventAction.Reject,
    };

    /// <summary>
    /// Reads a JSON array of events, each <c>{"queryId", "action", "objectId", "position", "session"}</c> or a UBI 1.0 event
    /// (<c>query_id</c>, <c>action_name</c>, <c>session_id</c> or <c>client_id</c>, <c>event_attributes.object.object_id</c>,
    /// <c>event_attributes.position.ordinal</c>). Sessions are returned in clear; the caller hashes them.
    /// </summary>
    /// <exception cref="InvalidRequestException">Not an array, or an event is malformed (named by its index).</exception>
    public static List<LoggedEvent> ToEvents(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("the body must be a JSON array of events: [{\"queryId\": \"...\", \"action\": \"click\", \"objectId\": \"p1\", \"position\": 1}]");
        }

        var count = body.GetArrayLength();
        if (count == 0 || count > MaxEvents)
        {
            throw new RequestLimitException($"{count} events in one request; send 1 to {MaxEvents}");
        }

        return body.EnumerateArray().Select((e, i) => ToEvent(e, $"events[{i}]")).ToList();
    }

    private static LoggedEvent ToEvent(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{where}: an event is a JSON object");
        }

        var ubi = e.TryGetProperty("action_name", out _) || e.TryGetProperty("query_id", out _);
        var queryId = Text(e, ubi ? "query_id" : "queryId", where, MaxIdLength, required: true)!;
        var actionName = Text(e, ubi ? "action_name" : "action", where, 64, required: true)!;
        if (!s_actions.TryGetValue(actionName, out var action))
        {
            throw new InvalidRequestException($"{where}.{(ubi ? "action_name" : "action")}: '{actionName}' is not one of: {string.Join(", ", s_actions.Keys)}");
        }

        var attributes = ubi && e.TryGetProperty("event_attributes", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        var objectSource = ubi ? Child(attributes, "object") : e;
        var objectId = Text(objectSource, ubi ? "object_id" : "objectId", ubi ? $"{where}.event_attributes.object" : where, Record.MaxIdLength, required: true)!;
        var positionSource = ubi ? Child(attributes, "position") : e;
        var positionName = ubi ? "ordinal" : "position";
        var positionWhere = ubi ? $"{where}.event_attributes.position.ordinal" : $"{where}.position";
        if (positionSource.ValueKind != JsonValueKind.Object || !positionSource.TryGetProperty(positionName, out var p))
        {
            throw new InvalidRequestException($"{positionWhere}: give the 1-based position the hit was shown at");
        }

        if (p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var position) || position < 1)
        {
            throw new InvalidRequestException($"{positionWhere}: {p.GetRawText()} is not a position (an integer from 1)");
        }

        var session = Text(e, ubi ? "session_id" : "session", where, MaxIdLength, required: false) ?? (ubi ? Text(e, "client_id", where, MaxIdLength, required: false) : null);
        return new LoggedEvent(queryId, action, objectId, position, session);
    }

    /// <summary>
    /// An older feedback post (query, shown, clicked, purchased, rejected) as the search it describes and its events,
    /// with a new query id; the session already hashed.
    /// </summary>
    /// <exception cref="InvalidRequestException">No query, or an over-long query, session, id or id list.</exception>
    public static TrafficEntry FromFeedback(FeedbackRequest body, string? hashedSession)
    {
        if (string.IsNullOrWhiteSpace(body.Query))
        {
            throw new InvalidRequestException("query: give the query the shopper searched for");
        }

        if (body.Query.Length > CollectionQuery.MaxQueryLength)
        {
            throw new RequestLimitException($"query: {body.Query.Length} characters; at most {CollectionQuery.MaxQueryLength}, as for a search");
        }

        foreach (var (name, list) in new[] { ("shown", body.Shown), ("clicked", body.Clicked), ("purchased", body.Purchased), ("rejected", body.Rejected) })
        {
            if (list is { Count: > MaxEvents })
            {
                throw new RequestLimitException($"{name}: {list.Count} ids; at most {MaxEvents}");
            }

            if (list?.Any(string.IsNullOrEmpty) == true)
            {
                throw new InvalidRequestException($"{name}: ids must be non-empty strings");
            }

            if (list?.FirstOrDefault(id => id.Length > Record.MaxIdLength) is { } longId)
            {
                throw new RequestLimitException($"{name}: an id of {longId.Length} characters; at most {Record.MaxIdLength}");
            }
        }

        var feedback = new FeedbackEvent(DateTimeOffset.UtcNow, body.Query, body.Shown ?? [], body.Clicked ?? [], body.Purchased ?? [], hashedSession, body.Rejected ?? []);
        return TrafficEntry.FromFeedback(feedback, TrafficLog.NewQueryId());
    }

    /// <summary>Checks a session id a client sent (before hashing).</summary>
    /// <exception cref="RequestLimitException">It is too long.</exception>
    public static void CheckSession(string? session)
    {
        if (session is { Length: > MaxIdLength })
        {
            throw new RequestLimitException($"session: {session.Length} characters; at most {MaxIdLength}");
        }
    }

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) ? child : default;

    private static string? Text(JsonElement source, string name, string where, int maxLength, bool required)
    {
        if (source.ValueKind != JsonValueKind.Object || !source.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new InvalidRequestException($"{where}.{name}: required") : null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            throw new InvalidRequestException($"{where}.{name}: must be a non-empty string");
        }

        return text.Length <= maxLength ? text : throw new RequestLimitException($"{where}.{name}: {text.Length} characters; at most {maxLength}");
    }
}
