using System.Globalization;
using System.Text.RegularExpressions;

namespace SemanticMatch.Training.Augmenting;

/// <summary>
/// The query rewrites of data augmentation, each a pure function of the query and a seeded <see cref="Random"/>;
/// each returns null where it does not apply (no word long enough for a typo, no unit to rewrite, ...).
/// </summary>
public static partial class QueryRewrites
{
    // Spellings of one unit; a rewrite swaps a unit word for another spelling of it. Lower case, as queries are compared.
    private static readonly string[][] s_units =
    [
        ["in.", "in", "inch", "inches", "\""],
        ["ft.", "ft", "foot", "feet", "'"],
        ["gal.", "gal", "gallon", "gallons"],
        ["lb.", "lb", "lbs", "pound", "pounds"],
        ["oz.", "oz", "ounce", "ounces"],
        ["sq.", "sq", "square"],
        ["cu.", "cu", "cubic"],
        ["v", "volt", "volts"],
        ["w", "watt", "watts"],
        ["mm", "millimeter", "millimeters"],
        ["amp", "amps", "ampere"],
    ];

    private static readonly Dictionary<string, string[]> s_unitClass = s_units
        .SelectMany(spellings => spellings.Select(s => (s, spellings)))
        .ToDictionary(x => x.s, x => x.spellings, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] s_keyboardRows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

    /// <summary>
    /// One keyboard slip in one word of four or more letters: a letter dropped, two neighbours swapped, a letter doubled,
    /// or a letter replaced by a key beside it.
    /// </summary>
    public static string? Typo(string query, Random random)
    {
        var words = query.Split(' ');
        var candidates = Enumerable.Range(0, words.Length).Where(i => words[i].Length >= 4 && words[i].All(char.IsLetter)).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var index = candidates[random.Next(candidates.Count)];
        var word = words[index];
        var at = random.Next(1, word.Length - 1); // the first letter is kept, as people rarely miss it
        words[index] = random.Next(4) switch
        {
            0 => word.Remove(at, 1),
            1 => string.Concat(word.AsSpan(0, at), word[at + 1].ToString(), word[at].ToString(), word.AsSpan(at + 2)),
            2 => word.Insert(at, word[at].ToString()),
            _ => Neighbour(word[at], random) is { } key ? string.Concat(word.AsSpan(0, at), key.ToString(), word.AsSpan(at + 1)) : word.Remove(at, 1),
        };
        return string.Join(' ', words);
    }

    /// <summary>
    /// One unit written another way ("1/2 in." -> "1/2 inch", "2 gal." -> "2 gallon", "12v" -> "12 volts"); a number glued
    /// to its unit is split first.
    /// </summary>
    public static string? Units(string query, Random random)
    {
        var words = query.Split(' ').SelectMany(SplitGluedUnit).ToList();
        var candidates = Enumerable.Range(0, words.Count)
            .Where(i => s_unitClass.ContainsKey(words[i]) && ((i > 0 && StartsWithDigit(words[i - 1])) || words[i].Length > 2))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var index = candidates[random.Next(candidates.Count)];
        var others = s_unitClass[words[index]].Where(s => !s.Equals(words[index], StringComparison.OrdinalIgnoreCase)).ToList();
        words[index] = others[random.Next(others.Count)];
        var rewritten = string.Join(' ', words);
        return rewritten == query ? null : rewritten;
    }

    /// <summary>The query without its first or its last word (queries of three words or more).</summary>
    public static string? Truncate(string query, Random random)
    {
        var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3)
        {
            return null;
        }

        return string.Join(' ', random.Next(2) == 0 ? words[1..] : words[..^1]);
    }

    /// <summary>One word replaced by its synonym from <paramref name="synonyms"/> (lower-case word -> replacement).</summary>
    public static string? Synonym(string query, IReadOnlyDictionary<string, string> synonyms, Random random)
    {
        var words = query.Split(' ');
        var candidates = Enumerable.Range(0, words.Length).Where(i => synonyms.ContainsKey(words[i].ToLowerInvariant())).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var index = candidates[random.Next(candidates.Count)];
        words[index] = synonyms[words[index].ToLowerInvariant()];
        return string.Join(' ', words);
    }

    private static bool StartsWithDigit(string word) => word.Length > 0 && char.IsDigit(word[0]);

    private static IEnumerable<string> SplitGluedUnit(string word)
    {
        var match = GluedUnit().Match(word);
        return match.Success && s_unitClass.ContainsKey(match.Groups[2].Value)
            ? [match.Groups[1].Value, match.Groups[2].Value]
            : [word];
    }

    private static char? Neighbour(char letter, Random random)
    {
        var lower = char.ToLower(letter, CultureInfo.InvariantCulture);
        foreach (var row in s_keyboardRows)
        {
            var at = row.IndexOf(lower, StringComparison.Ordinal);
            if (at >= 0)
            {
                var options = new[] { at - 1, at + 1 }.Where(i => i >= 0 && i < row.Length).Select(i => row[i]).ToList();
                var key = options[random.Next(options.Count)];
                return char.IsUpper(letter) ? char.ToUpper(key, CultureInfo.InvariantCulture) : key;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(\d[\d/.\-]*)([a-z]+\.?|""|')$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GluedUnit();
}
