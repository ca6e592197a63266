using System.Net;
using System.Text;

namespace SemanticMatch.Collections;

/// <summary>
/// Marks the words of a field's text that match a query's words: <c>&lt;em&gt;</c> around each, the rest
/// HTML-escaped, so a page can show it as it is. A word matches when it equals a query word or shares its light stem
/// (plural and verb endings: "drills", "drilling" and "drilled" match "drill").
/// </summary>
/// <remarks>
/// Written here rather than borrowed from a store's analyzer: the embedded store stems with Lucene's Porter stemmer and
/// PostgreSQL with its snowball, and one page must mark the same words whichever store answered; the light stem is
/// conservative (it marks fewer words than either stemmer matches, never unrelated ones).
/// </remarks>
public sealed class Highlighter
{
    private readonly HashSet<string> _stems;

    /// <summary>Marks the words of <paramref name="queryWords"/> (the query as searched, split, plus any synonyms).</summary>
    public Highlighter(IEnumerable<string> queryWords)
    {
        ArgumentNullException.ThrowIfNull(queryWords);
        _stems = new HashSet<string>(queryWords.SelectMany(Words).Select(Stem), StringComparer.Ordinal);
    }

    /// <summary>Whether any word would be marked.</summary>
    public bool IsEmpty => _stems.Count == 0;

    /// <summary>The text HTML-escaped, with each matching word wrapped in <c>&lt;em&gt;</c> and <c>&lt;/em&gt;</c>.</summary>
    public string Mark(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var marked = new StringBuilder(text.Length + 16);
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var inWord = char.IsLetterOrDigit(text[i]);
            while (i < text.Length && char.IsLetterOrDigit(text[i]) == inWord)
            {
                i++;
            }

            var part = text[start..i];
            var escaped = WebUtility.HtmlEncode(part);
            marked.Append(inWord && _stems.Contains(Stem(part.ToLowerInvariant())) ? $"<em>{escaped}</em>" : escaped);
        }

        return marked.ToString();
    }

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
    }

    // Plural and verb endings only, and only where a stem of three or more letters is left.
    private static string Stem(string word)
    {
        foreach (var (ending, replacement) in s_endings)
        {
            if (word.Length - ending.Length >= 3 && word.EndsWith(ending, StringComparison.Ordinal))
            {
                return word[..^ending.Length] + replacement;
            }
        }

        return word;
    }

    private static readonly (string Ending, string Replacement)[] s_endings =
    [
        ("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ing", string.Empty), ("ed", string.Empty),
        ("ss", "ss"), ("s", string.Empty),
    ];
}
