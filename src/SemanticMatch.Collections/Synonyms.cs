using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>A one-way synonym: a query holding <paramref name="Input"/> also searches <paramref name="Synonyms"/>, not the other way round.</summary>
/// <param name="Input">The word or phrase typed ("phone").</param>
/// <param name="Synonyms">What it also searches ("smartphone", "mobile phone").</param>
public sealed record OneWaySynonym(string Input, IReadOnlyList<string> Synonyms);

/// <summary>An entry a query was widened with, and the entry of the query it stands in for.</summary>
/// <param name="Added">The entry searched as well ("sofa").</param>
/// <param name="For">The query's entry it was added for ("couch").</param>
public sealed record SynonymUse(string Added, string For);

/// <summary>
/// A collection's synonyms: groups of words or phrases that mean the same ("couch", "sofa") and one-way synonyms
/// ("phone" also searches "smartphone"). Keyword retrieval reads a query holding one entry of a group as if it held
/// every entry of it (and an input as if it held its synonyms), and spelling correction leaves the entries alone.
/// Kept apart from the settings: changing them needs no re-embedding and takes effect at the next search.
/// </summary>
public sealed record Synonyms
{
    /// <summary>Most groups and one-way synonyms a collection may hold, together.</summary>
    public const int MaxGroups = 10_000;

    /// <summary>Most entries in a group (or synonyms of an input).</summary>
    public const int MaxEntries = 50;

    /// <summary>Longest entry, in characters.</summary>
    public const int MaxEntryLength = 100;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>No synonyms.</summary>
    public static Synonyms None { get; } = new([]);

    /// <summary>Groups of entries that mean the same and one-way synonyms, each normalised as queries are (lower case, single spaces).</summary>
    public Synonyms(IReadOnlyList<IReadOnlyList<string>> groups, IReadOnlyList<OneWaySynonym>? oneWay = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = groups;
        OneWay = oneWay ?? [];
        var entries = groups.SelectMany(g => g).Concat(OneWay.SelectMany(o => o.Synonyms.Append(o.Input)));
        _words = new HashSet<string>(entries.SelectMany(e => e.Split(' ').Append(e)), StringComparer.Ordinal);
    }

    // Every entry and every word of an entry, for spelling (derived from the groups).
    private readonly HashSet<string> _words;

    /// <summary>The groups, as given.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Groups { get; }

    /// <summary>The one-way synonyms, as given.</summary>
    public IReadOnlyList<OneWaySynonym> OneWay { get; }

    /// <summary>Checks and normalises synonyms as a client sent them.</summary>
    /// <param name="groups">Groups of words or phrases that mean the same.</param>
    /// <param name="oneWay">One-way synonyms (input, synonyms); null for none.</param>
    /// <param name="text">How the collection normalises queries.</param>
    /// <exception cref="InvalidRequestException">A group with fewer than two entries, an empty or over-long entry, too many groups.</exception>
    public static Synonyms Of(IReadOnlyList<IReadOnlyList<string?>?> groups, IReadOnlyList<(string? Input, IReadOnlyList<string?>? Synonyms)>? oneWay,
        ProductText text)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(text);
        oneWay ??= [];
        if (groups.Count + oneWay.Count > MaxGroups)
        {
            throw new InvalidRequestException($"synonyms: {groups.Count} groups and {oneWay.Count} one-way synonyms; at most {MaxGroups} in all");
        }

        var normalized = new List<IReadOnlyList<string>>(groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g] is not { Count: >= 2 and <= MaxEntries } group)
            {
                throw new InvalidRequestException($"synonyms[{g}]: give 2 to {MaxEntries} words or phrases that mean the same");
            }

            normalized.Add(group.Select((e, i) => Entry(e, $"synonyms[{g}][{i}]", text)).Distinct(StringComparer.Ordinal).ToList());
        }

        var directed = new List<OneWaySynonym>(oneWay.Count);
        for (var o = 0; o < oneWay.Count; o++)
        {
            var input = Entry(oneWay[o].Input, $"oneWay[{o}].input", text);
            if (oneWay[o].Synonyms is not { Count: >= 1 and <= MaxEntries } targets)
            {
                throw new InvalidRequestException($"oneWay[{o}].synonyms: give 1 to {MaxEntries} words or phrases '{input}' should also search");
            }

            var synonyms = targets.Select((e, i) => Entry(e, $"oneWay[{o}].synonyms[{i}]", text))
                .Where(e => e != input).Distinct(StringComparer.Ordinal).ToList();
            directed.Add(new OneWaySynonym(input, synonyms));
        }

        return new Synonyms(normalized, directed);
    }

    /// <summary>The synonyms as stored: <c>{"groups": [...], "oneWay": [...]}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(Groups, OneWay), s_json);

    /// <summary>Reads stored synonyms: the object <see cref="ToJson"/> writes, or the bare list of groups older versions wrote.</summary>
    /// <exception cref="JsonException">Neither.</exception>
    public static Synonyms FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.TrimStart().StartsWith('['))
        {
            var groups = JsonSerializer.Deserialize<List<List<string>>>(json, s_json) ?? throw new JsonException("null instead of a list of groups");
            return new Synonyms(groups.Select(g => (IReadOnlyList<string>)g).ToList());
        }

        var stored = JsonSerializer.Deserialize<Stored>(json, s_json) ?? throw new JsonException("null instead of synonyms");
        return new Synonyms(stored.Groups ?? [], stored.OneWay);
    }

    /// <summary>What a query is widened with: every other entry of each group one of whose entries it holds, and the synonyms of each input it holds (each once, in order).</summary>
    public IReadOnlyList<SynonymUse> Uses(string prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var uses = new List<SynonymUse>();
        if (Groups.Count == 0 && OneWay.Count == 0)
        {
            return uses;
        }

        var padded = $" {prepared.ToLowerInvariant()} ";
        bool Holds(string entry) => padded.Contains($" {entry} ", StringComparison.Ordinal);
        void Add(string added, string used)
        {
            if (!Holds(added) && !uses.Exists(u => u.Added == added))
            {
                uses.Add(new SynonymUse(added, used));
            }
        }

        foreach (var group in Groups)
        {
            if (group.FirstOrDefault(Holds) is { } used)
            {
                group.ToList().ForEach(e => Add(e, used));
            }
        }

        foreach (var directed in OneWay.Where(o => Holds(o.Input)))
        {
            directed.Synonyms.ToList().ForEach(e => Add(e, directed.Input));
        }

        return uses;
    }

    /// <summary>The query with what <see cref="Uses"/> adds appended.</summary>
    public string Expand(string prepared)
    {
        var uses = Uses(prepared);
        return uses.Count == 0 ? prepared : prepared + " " + string.Join(' ', uses.Select(u => u.Added));
    }

    /// <summary>Whether <paramref name="word"/> is an entry (or a word of one) of any group.</summary>
    public bool Holds(string word) => _words.Contains(word);

    /// <summary>The retrieval with this collection's synonyms applied to keyword retrieval, explanations and spelling.</summary>
    public ICollectionRetrieval Over(ICollectionRetrieval retrieval) => Groups.Count == 0 && OneWay.Count == 0 ? retrieval : new SynonymRetrieval(retrieval, this);

    // Normalises one entry as queries are; names it when it is empty, over-long or has no letter or digit.
    private static string Entry(string? given, string where, ProductText text)
    {
        var entry = given is { Length: <= MaxEntryLength } ? text.OfQuery(given).ToLowerInvariant().Trim() : null;
        return string.IsNullOrEmpty(entry) || !entry.Any(char.IsLetterOrDigit)
            ? throw new InvalidRequestException($"{where}: give a word or phrase of 1 to {MaxEntryLength} characters with a letter or digit")
            : entry;
    }

    private sealed record Stored(IReadOnlyList<IReadOnlyList<string>>? Groups, IReadOnlyList<OneWaySynonym>? OneWay);

    // Keyword retrieval reads the expanded query; spelling leaves the synonyms' words as typed.
    private sealed class SynonymRetrieval(ICollectionRetrieval inner, Synonyms synonyms) : ICollectionRetrieval
    {
        public Core.Similarity.SimilarityMetric Metric => inner.Metric;

        public ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken) =>
            inner.KeywordAsync(synonyms.Expand(prepared), k, cancellationToken);

        public ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken) =>
            inner.DenseAsync(query, k, cancellationToken);

        public ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken) =>
            inner.KeywordCountAsync(synonyms.Expand(prepared), cancellationToken);

        public ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.KeywordScoresAsync(synonyms.Expand(prepared), ids, cancellationToken);

        public ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.DenseScoresAsync(query, ids, cancellationToken);

        // Each term a synonym added names the query's entry it stands in for.
        public async ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken)
        {
            var terms = await inner.ExplainTermsAsync(synonyms.Expand(prepared), id, cancellationToken).ConfigureAwait(false);
            var typed = new HashSet<string>(prepared.ToLowerInvariant().Split(' '), StringComparer.Ordinal);
            var usedFor = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var use in synonyms.Uses(prepared))
            {
                foreach (var word in use.Added.Split(' ').Where(w => !typed.Contains(w)))
                {
                    usedFor.TryAdd(word, use.For);
                }
            }

            return terms.Select(t => usedFor.TryGetValue(t.Word.ToLowerInvariant(), out var used) ? t with { SynonymOf = used } : t).ToList();
        }

        public async ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken)
        {
            var corrected = await inner.CorrectSpellingAsync(normalized, cancellationToken).ConfigureAwait(false);
            var (typed, fixedWords) = (normalized.Split(' '), corrected.Split(' '));
            return typed.Length != fixedWords.Length
                ? corrected
                : string.Join(' ', typed.Select((w, i) => synonyms.Holds(w.ToLowerInvariant()) ? w : fixedWords[i]));
        }

        public ValueTask<IReadOnlyList<Record?>> RecordsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.RecordsAsync(ids, cancellationToken);
    }
}
