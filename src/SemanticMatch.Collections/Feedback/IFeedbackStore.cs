namespace SemanticMatch.Collections.Feedback;

/// <summary>One search log event: what a shopper searched, was shown, clicked and bought.</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Query">The query as typed.</param>
/// <param name="Shown">Ids shown, in order.</param>
/// <param name="Clicked">Ids clicked.</param>
/// <param name="Purchased">Ids bought.</param>
/// <param name="Session">The session id, hashed with the store's secret salt (never stored in clear).</param>
/// <param name="Rejected">Ids a user marked not relevant (absent in logs written before such marks existed).</param>
public sealed record FeedbackEvent(DateTimeOffset Time, string Query, IReadOnlyList<string> Shown, IReadOnlyList<string> Clicked,
    IReadOnlyList<string> Purchased, string? Session, IReadOnlyList<string>? Rejected = null);

/// <summary>Where feedback events are kept: files beside the embedded collections, or a table of the database.</summary>
public interface IFeedbackStore
{
    /// <summary>The secret salt session ids are hashed with (made on first use, the same for every replica).</summary>
    Task<byte[]> SaltAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends one event; completes once it is durable.</summary>
    Task AppendAsync(string collection, FeedbackEvent feedback, CancellationToken cancellationToken = default);

    /// <summary>A collection's events in the order they were logged.</summary>
    /// <exception cref="Core.InvalidRequestException">No feedback was logged for the collection.</exception>
    IAsyncEnumerable<FeedbackEvent> ReadAsync(string collection, CancellationToken cancellationToken = default);
}
