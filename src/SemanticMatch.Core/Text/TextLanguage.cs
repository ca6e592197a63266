namespace SemanticMatch.Core.Text;

/// <summary>How keyword search analyses text: as English, as Chinese, or each text by its script.</summary>
public enum TextLanguage
{
    /// <summary>Each text (a product's, a query) by its script: Chinese when it holds a CJK ideograph, else English.</summary>
    Auto,

    /// <summary>English: words, stop words, Porter stems.</summary>
    En,

    /// <summary>Chinese: words segmented by SmartCn (Latin words and numbers lower-cased and stemmed as English).</summary>
    Zh,
}

/// <summary>Script tests for <see cref="TextLanguage"/>.</summary>
public static class Scripts
{
    /// <summary>Whether <paramref name="text"/> holds a CJK ideograph (Han, including extension A and compatibility forms).</summary>
    public static bool HasCjk(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (IsCjk(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="c"/> is a CJK ideograph of the Basic Multilingual Plane.</summary>
    public static bool IsCjk(char c) => c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF');
}
