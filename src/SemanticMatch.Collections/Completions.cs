using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections;

/// <summary>A catalogue word that completes a prefix, and how many records hold it.</summary>
/// <param name="Word">The word (lower case, as spelling reads the shown fields).</param>
/// <param name="Records">How many records hold it.</param>
public readonly record struct CatalogueWord(string Word, int Records);

/// <summary>
/// Completions of what a shopper is typing, the same on every store: first popular logged queries that start with what
/// was typed (most searched first), then the catalogue's words completing its last word (the words before it kept; most
/// records first); only when those are fewer than asked, the same two for the last word with one typo fixed.
/// </summary>
public static class Completions
{
    /// <summary>Shortest last word whose typos are fixed (shorter ones have too many neighbours to mean anything).</summary>
    public const int TypoMinLength = 4;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Completions of <paramref name="normalized"/> (the prefix normalised as queries are, lower case).</summary>
    /// <param name="normalized">What was typed, normalised.</param>
    /// <param name="limit">Most completions.</param>
    /// <param name="words">The store's catalogue words starting with any of the prefixes given, at most the count given, most records first.</param>
    /// <param name="popular">Popular logged queries starting with a prefix, or null where none are known.</param>
    /// <param name="cancellationToken">Stops the store's reads.</param>
    public static async ValueTask<IReadOnlyList<string>> SuggestAsync(string normalized, int limit,
        Func<IReadOnlyList<string>, int, CancellationToken, ValueTask<IReadOnlyList<CatalogueWord>>> words, Func<string, IReadOnlyList<PopularQuery>>? popular,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ArgumentNullException.ThrowIfNull(words);
        var cut = normalized.LastIndexOf(' ');
        var (head, last) = (cut < 0 ? string.Empty : normalized[..(cut + 1)], normalized[(cut + 1)..]);
        var found = new List<string>(limit);
        if (last.Length == 0 || limit < 1)
        {
            return found;
        }

        Take(Popular([normalized]));
        Take(Completing(await words([last], limit + 1, cancellationToken).ConfigureAwait(false)));
        if (found.Count < limit && last.Length >= TypoMinLength)
        {
            var variants = TypoVariants(last);
            Take(Popular(variants.Select(v => head + v)));
            Take(Completing(await words(variants, limit + 1, cancellationToken).ConfigureAwait(false)));
        }

        return found;

        IEnumerable<string> Popular(IEnumerable<string> prefixes) => popular is null
            ? []
            : prefixes.SelectMany(popular).DistinctBy(q => q.Query).OrderByDescending(q => q.Searches).ThenBy(q => q.Query, StringComparer.Ordinal)
                .Select(q => q.Query);

        IEnumerable<string> Completing(IEnumerable<CatalogueWord> candidates) =>
            candidates.Where(w => w.Word != last).OrderByDescending(w => w.Records).ThenBy(w => w.Word, StringComparer.Ordinal).Select(w => head + w.Word);

        void Take(IEnumerable<string> completions)
        {
            foreach (var completion in completions)
            {
                if (found.Count == limit)
                {
                    return;
                }

                if (completion != normalized && !found.Contains(completion))
                {
                    found.Add(completion);
                }
            }
        }
    }

    /// <summary>
    /// Every prefix one edit from <paramref name="word"/> with its first letter kept: a letter before the last left
    /// out, one swapped with the next, replaced, or added before the last (letters and digits of a-z, 0-9; a word in
    /// another script gets the first two only).
    /// </summary>
    public static IReadOnlyList<string> TypoVariants(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var variants = new HashSet<string>(StringComparer.Ordinal);
        var ascii = word.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
        for (var i = 1; i < word.Length; i++)
        {
            // (The last letter left out would complete to what the box offered a letter ago; one added at the end, to
            // some of what the word itself completes to.)
            if (i + 1 < word.Length)
            {
                variants.Add(word.Remove(i, 1));
                variants.Add(string.Concat(word.AsSpan(0, i), word[i + 1].ToString(), word[i].ToString(), word.AsSpan(i + 2)));
            }

            if (ascii)
            {
                foreach (var letter in Alphabet)
                {
                    variants.Add(string.Concat(word.AsSpan(0, i), letter.ToString(), word.AsSpan(i + 1)));
                    variants.Add(word.Insert(i, letter.ToString()));
                }
            }
        }

        variants.Remove(word);
        return variants.Order(StringComparer.Ordinal).ToList();
    }
}
