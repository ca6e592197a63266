using System.Text.RegularExpressions;

namespace SemanticMatch.Core.Keyword;

/// <summary>
/// The spelling-correction rules every keyword store follows: which query words may be corrected (letters only, 4+
/// characters, absent from the catalogue), how far a correction may be (1 edit up to 7 letters, 2 from 8, the first
/// letter kept, a transposition counting as one edit), and which candidate wins (fewest edits, then the word in more
/// records, then the first in ordinal order).
/// </summary>
public static partial class SpellingRules
{
    /// <summary>The words of <paramref name="query"/> that may be corrected, lower-cased, each once.</summary>
    public static IReadOnlyList<string> CorrectableWords(string query) =>
        Word().Matches(query).Select(m => m.Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Edits allowed for a word of this length.</summary>
    public static int MaxEdits(string word) => word.Length >= 8 ? 2 : 1;

    /// <summary>The best correction of <paramref name="word"/> among catalogue words with their record counts, or null.</summary>
    public static string? Best(string word, IEnumerable<(string Word, int Records)> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        var maxEdits = MaxEdits(word);
        return candidates
            .Where(c => c.Records > 0 && c.Word.Length > 0 && c.Word[0] == word[0] && Math.Abs(c.Word.Length - word.Length) <= maxEdits)
            .Select(c => (c.Word, c.Records, Edits: Distance(word, c.Word)))
            .Where(c => c.Edits is > 0 && c.Edits <= maxEdits)
            .OrderBy(c => c.Edits).ThenByDescending(c => c.Records).ThenBy(c => c.Word, StringComparer.Ordinal)
            .Select(c => c.Word)
            .FirstOrDefault();
    }

    /// <summary>The query with each correctable word replaced by its correction (case as the correction has it).</summary>
    public static string Apply(string query, IReadOnlyDictionary<string, string> corrections) =>
        Word().Replace(query, m => corrections.TryGetValue(m.Value.ToLowerInvariant(), out var better) ? better : m.Value);

    /// <summary>Optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    // Letters other than CJK ideographs (Chinese is segmented, not spelled): a Chinese run is never "corrected".
    [GeneratedRegex(@"(?<![\p{L}\d])[\p{L}-[\p{IsCJKUnifiedIdeographs}\p{IsCJKUnifiedIdeographsExtensionA}]]{4,}(?![\p{L}\d])")]
    private static partial Regex Word();
}
