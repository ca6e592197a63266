using System.Globalization;
using System.Text.RegularExpressions;

namespace SemanticMatch.Ranking;

/// <summary>
/// The words of a normalised text as the lexical features compare them: lower-cased, split at anything that is not a
/// letter or digit (a decimal point inside a number is kept: "0.5 inch"), a plural "s" folded ("drills" = "drill"),
/// and the numbers among them.
/// </summary>
internal sealed partial class WordSet
{
    private WordSet(IReadOnlyList<string> words)
    {
        Words = words;
        Distinct = new HashSet<string>(words, StringComparer.Ordinal);
        Numbers = words.Where(IsNumber).ToHashSet(StringComparer.Ordinal);
        Bigrams = words.Zip(words.Skip(1), (a, b) => a + " " + b).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The words in order.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The distinct words.</summary>
    public HashSet<string> Distinct { get; }

    /// <summary>The distinct words that are numbers ("2", "0.5").</summary>
    public HashSet<string> Numbers { get; }

    /// <summary>Adjacent word pairs.</summary>
    public HashSet<string> Bigrams { get; }

    /// <summary>Splits <paramref name="text"/>.</summary>
    public static WordSet Of(string text) =>
        new(WordPattern().Matches(text.ToLowerInvariant()).Select(m => Fold(m.Value)).ToList());

    /// <summary>Whether the words of <paramref name="phrase"/> appear here consecutively.</summary>
    public bool ContainsPhrase(WordSet phrase)
    {
        var n = phrase.Words.Count;
        for (var start = 0; n > 0 && start + n <= Words.Count; start++)
        {
            var match = true;
            for (var i = 0; i < n && match; i++)
            {
                match = string.Equals(Words[start + i], phrase.Words[i], StringComparison.Ordinal);
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNumber(string word) => double.TryParse(word, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    // "drills" -> "drill", "boxes" -> "box"; short words ("gas", "ss") and numbers stay.
    private static string Fold(string word) => word.Length > 3 && word[^1] == 's' && word[^2] != 's' && !char.IsDigit(word[0])
        ? word.EndsWith("es", StringComparison.Ordinal) && word.Length > 4 && "xsz".Contains(word[^3], StringComparison.Ordinal) ? word[..^2] : word[..^1]
        : word;

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:\.\p{N}+)?", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
