using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Core;

namespace SemanticMatch.Server.Feedback;

/// <summary>One search log event: what a shopper searched, was shown, clicked and bought.</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Query">The query as typed.</param>
/// <param name="Shown">Ids shown, in order.</param>
/// <param name="Clicked">Ids clicked.</param>
/// <param name="Purchased">Ids bought.</param>
/// <param name="Session">The session id, hashed with the data directory's secret salt (never stored in clear).</param>
/// <param name="Rejected">Ids a user marked not relevant (absent in logs written before such marks existed).</param>
public sealed record FeedbackEvent(DateTimeOffset Time, string Query, IReadOnlyList<string> Shown, IReadOnlyList<string> Clicked,
    IReadOnlyList<string> Purchased, string? Session, IReadOnlyList<string>? Rejected = null);

/// <summary>
/// Appends feedback events to <c>DATA/feedback/COLLECTION.jsonl</c>, flushed to disk before the request is answered.
/// Session ids are stored only as HMAC-SHA-256 with a salt kept in the data directory, so a log leaks no session.
/// </summary>
/// <remarks>Thread-safe: appends are serialised per process.</remarks>
public sealed class FeedbackLog : IDisposable
{
    /// <summary>Most ids in one list of an event.</summary>
    public const int MaxIds = 1000;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly string _directory;
    private readonly byte[] _salt;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Opens the feedback folder of <paramref name="dataDirectory"/>, creating its salt on first use.</summary>
    public FeedbackLog(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, "feedback");
        Directory.CreateDirectory(_directory);
        var saltPath = Path.Combine(_directory, ".salt");
        if (!File.Exists(saltPath))
        {
            File.WriteAllBytes(saltPath, RandomNumberGenerator.GetBytes(32));
        }

        _salt = File.ReadAllBytes(saltPath);
    }

    /// <summary>The log file of a collection.</summary>
    public static string PathOf(string dataDirectory, string collection) => Path.Combine(dataDirectory, "feedback", collection + ".jsonl");

    /// <summary>Appends one event (the session hashed); completes once it is on disk.</summary>
    /// <exception cref="InvalidRequestException">No query, or an over-long id list.</exception>
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
        }

        var hashed = session is null ? null : Convert.ToHexStringLower(HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(session)));
        var line = JsonSerializer.Serialize(new FeedbackEvent(DateTimeOffset.UtcNow, query, shown ?? [], clicked ?? [], purchased ?? [], hashed, rejected ?? []), s_json) + "\n";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var file = new FileStream(Path.Combine(_directory, collection + ".jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
            file.Flush(flushToDisk: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>Reads a collection's events (a line cut short by a crash is skipped).</summary>
    public static IEnumerable<FeedbackEvent> Read(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            FeedbackEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<FeedbackEvent>(line, s_json);
            }
            catch (JsonException)
            {
                continue;
            }

            if (e is not null)
            {
                yield return e;
            }
        }
    }
}
