namespace SemanticMatch.Core.Similarity;

/// <summary>Jaccard overlap of the sets of lower-cased word tokens (letters and digits) of two texts.</summary>
public static class TokenJaccard
{
    /// <summary>|A ∩ B| / |A ∪ B| over word sets; 0 when both texts have no words.</summary>
    public static float Score(string a, string b)
    {
        var left = Tokens(a);
        var right = Tokens(b);
        if (left.Count == 0 && right.Count == 0)
        {
            return 0;
        }

        var shared = left.Count(right.Contains);
        return shared / (float)(left.Count + right.Count - shared);
    }

    /// <summary>The distinct lower-case tokens: maximal runs of letters, digits and '.' inside numbers.</summary>
    public static HashSet<string> Tokens(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i])
                || (text[i] == '.' && start >= 0 && i + 1 < text.Length && char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1])));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                tokens.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return tokens;
    }
}
