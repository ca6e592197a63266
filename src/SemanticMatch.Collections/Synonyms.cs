using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>
/// A collection's synonyms: groups of words or phrases that mean the same ("couch", "sofa"). Keyword retrieval reads a
/// query holding one entry of a group as if it held every entry of it, and spelling correction leaves the entries
/// alone. Kept apart from the settings: changing them needs no re-embedding and takes effect at the next search.
/// </summary>
public sealed record Synonyms
{
    /// <summary>Most groups a collection may hold.</summary>
    public const int MaxGroups = 10_000;

    /// <summary>Most entries in a group.</summary>
    public const int MaxEntries = 50;

    /// <summary>Longest entry, in characters.</summary>
    public const int MaxEntryLength = 100;

    /// <summary>No synonyms.</summary>
    public static Synonyms None { get; } = new([]);

    /// <summary>Groups of entries that mean the same, each normalised as queries are (lower case, single spaces).</summary>
    public Synonyms(IReadOnlyList<IReadOnlyList<string>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = groups;
        _words = new HashSet<string>(groups.SelectMany(g => g).SelectMany(e => e.Split(' ').Append(e)), StringComparer.Ordinal);
    }

    // Every entry and every word of an entry, for spelling (derived from the groups).
    private readonly HashSet<string> _words;

    /// <summary>The groups, as given.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Groups { get; }

    /// <summary>Checks and normalises groups as a client sent them.</summary>
    /// <exception cref="InvalidRequestException">A group with fewer than two entries, an empty or over-long entry, too many groups.</exception>
    public static Synonyms Of(IReadOnlyList<IReadOnlyList<string?>?> groups, ProductText text)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(text);
        if (groups.Count > MaxGroups)
        {
            throw new InvalidRequestException($"synonyms: {groups.Count} groups; at most {MaxGroups}");
        }

        var normalized = new List<IReadOnlyList<string>>(groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g] is not { Count: >= 2 and <= MaxEntries } group)
            {
                throw new InvalidRequestException($"synonyms[{g}]: give 2 to {MaxEntries} words or phrases that mean the same");
            }

            var entries = new List<string>(group.Count);
            for (var e = 0; e < group.Count; e++)
            {
                var entry = group[e] is { Length: <= MaxEntryLength } given ? text.OfQuery(given).ToLowerInvariant().Trim() : null;
                if (string.IsNullOrEmpty(entry) || !entry.Any(char.IsLetterOrDigit))
                {
                    throw new InvalidRequestException($"synonyms[{g}][{e}]: give a word or phrase of 1 to {MaxEntryLength} characters with a letter or digit");
                }

                entries.Add(entry);
            }

            normalized.Add(entries.Distinct(StringComparer.Ordinal).ToList());
        }

        return new Synonyms(normalized);
    }

    /// <summary>The query with the other entries of every group one of whose entries it holds appended (once each).</summary>
    public string Expand(string prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (Groups.Count == 0)
        {
            return prepared;
        }

        var padded = $" {prepared.ToLowerInvariant()} ";
        var added = new List<string>();
        foreach (var group in Groups)
        {
            if (group.Any(e => padded.Contains($" {e} ", StringComparison.Ordinal)))
            {
                added.AddRange(group.Where(e => !padded.Contains($" {e} ", StringComparison.Ordinal) && !added.Contains(e)));
            }
        }

        return added.Count == 0 ? prepared : prepared + " " + string.Join(' ', added);
    }

    /// <summary>Whether <paramref name="word"/> is an entry (or a word of one) of any group.</summary>
    public bool Holds(string word) => _words.Contains(word);

    /// <summary>The retrieval with this collection's synonyms applied to keyword retrieval and spelling.</summary>
    public ICollectionRetrieval Over(ICollectionRetrieval retrieval) => Groups.Count == 0 ? retrieval : new SynonymRetrieval(retrieval, this);

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

        public ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken) =>
            inner.ExplainTermsAsync(synonyms.Expand(prepared), id, cancellationToken);

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
