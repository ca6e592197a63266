namespace SemanticMatch.Collections.Feedback;

/// <summary>A feedback post of an older log line or of the <c>/feedback</c> route: what a shopper was shown and did.</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Query">The query as typed.</param>
/// <param name="Shown">Ids shown, in order.</param>
/// <param name="Clicked">Ids clicked.</param>
/// <param name="Purchased">Ids bought.</param>
/// <param name="Session">The session id, hashed with the store's secret salt (never stored in clear).</param>
/// <param name="Rejected">Ids a user marked not relevant (absent in logs written before such marks existed).</param>
public sealed record FeedbackEvent(DateTimeOffset Time, string Query, IReadOnlyList<string> Shown, IReadOnlyList<string> Clicked,
    IReadOnlyList<string> Purchased, string? Session, IReadOnlyList<string>? Rejected = null);

/// <summary>
/// Where a collection's traffic log (searches and what shoppers did) is kept: files beside the embedded collections,
/// or a table of the database.
/// </summary>
public interface IFeedbackStore
{
    /// <summary>The secret salt session ids are hashed with (made on first use, the same for every replica).</summary>
    Task<byte[]> SaltAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends entries in order; completes once they are durable. Each entry is stored whole or not at all.</summary>
    /// <exception cref="Storage.StorageFaultException">The storage refused the write.</exception>
    Task AppendAsync(string collection, IReadOnlyList<TrafficEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>A collection's entries in the order they were logged (empty when none were).</summary>
    IAsyncEnumerable<TrafficEntry> ReadAsync(string collection, CancellationToken cancellationToken = default);

    /// <summary>Deletes every collection's entries logged before <paramref name="cutoff"/>; returns how many.</summary>
    Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}
