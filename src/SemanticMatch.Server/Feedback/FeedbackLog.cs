using System.Security.Cryptography;
using System.Text;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;

namespace SemanticMatch.Server.Feedback;

/// <summary>
/// Checks and records feedback events in the store's feedback log. Session ids are stored only as HMAC-SHA-256 with the
/// store's secret salt, so a log leaks no session.
/// </summary>
/// <param name="store">Where events are kept.</param>
public sealed class FeedbackLog(IFeedbackStore store)
{
    /// <summary>Most ids in one list of an event.</summary>
    public const int MaxIds = 1000;

    private byte[]? _salt;

    /// <summary>Appends one event (the session hashed); completes once it is durable.</summary>
    /// <exception cref="InvalidRequestException">No query, an over-long query, session, id or id list.</exception>
    public async Task AppendAsync(string collection, string? query, IReadOnlyList<string>? shown, IReadOnlyList<string>? clicked,
        IReadOnlyList<string>? purchased, IReadOnlyList<string>? rejected, string? session, CancellationToken cancellationToken)
    {
        if (!CollectionSettings.IsValidName(collection))
        {
            throw new CollectionNotFoundException(collection);
        }

        if (string.IsNullOrWhiteSpace(query))
        {
            throw new InvalidRequestException("query: give the query the shopper searched for");
        }

        if (query.Length > CollectionQuery.MaxQueryLength)
        {
            throw new Api.RequestLimitException($"query: {query.Length} characters; at most {CollectionQuery.MaxQueryLength}, as for a search");
        }

        if (session is { Length: > 256 })
        {
            throw new Api.RequestLimitException($"session: {session.Length} characters; at most 256");
        }

        foreach (var (name, list) in new[] { ("shown", shown), ("clicked", clicked), ("purchased", purchased), ("rejected", rejected) })
        {
            if (list is { Count: > MaxIds })
            {
                throw new Api.RequestLimitException($"{name}: {list.Count} ids; at most {MaxIds}");
            }

            if (list?.Any(string.IsNullOrEmpty) == true)
            {
                throw new InvalidRequestException($"{name}: ids must be non-empty strings");
            }

            if (list?.FirstOrDefault(id => id.Length > Record.MaxIdLength) is { } longId)
            {
                throw new Api.RequestLimitException($"{name}: an id of {longId.Length} characters; at most {Record.MaxIdLength}");
            }
        }

        _salt ??= await store.SaltAsync(cancellationToken);
        var hashed = session is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(session)));
        await store.AppendAsync(collection, new FeedbackEvent(DateTimeOffset.UtcNow, query, shown ?? [], clicked ?? [], purchased ?? [], hashed, rejected ?? []),
            cancellationToken);
    }
}
