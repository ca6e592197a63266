using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SemanticMatch.Core.Text;

/// <summary>
/// Removes irrelevant information and standardises product and query text before matching
/// ("1/2 in." and "0.5 inch" become the same words; HTML and odd whitespace disappear).
/// Whitespace is always collapsed; the other steps follow <see cref="TextNormalizationOptions"/>.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed partial class TextNormalizer(TextNormalizationOptions options)
{
    /// <summary>A normaliser with every step on.</summary>
    public static TextNormalizer Default { get; } = new(TextNormalizationOptions.Default);

    /// <summary>The options in force.</summary>
    public TextNormalizationOptions Options { get; } = options;

    /// <summary>Returns the normalised text; never null.</summary>
    public string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (Options.StripHtml && (text.Contains('<', StringComparison.Ordinal) || text.Contains('&', StringComparison.Ordinal)))
        {
            text = StripHtml(text);
        }

        if (Options.Unicode)
        {
            text = NormalizeUnicode(text);
        }

        if (Options.Units)
        {
            text = NormalizeUnits(text);
        }

        return WhitespaceRun().Replace(text, " ").Trim();
    }

    private static string StripHtml(string text)
    {
        text = HtmlBlockTag().Replace(text, " ");
        text = HtmlTag().Replace(text, string.Empty);
        return WebUtility.HtmlDecode(text);
    }

    private static string NormalizeUnicode(string text)
    {
        text = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\u2044' or '\u2215' => '/', // fraction slash, division slash
                '\u2013' or '\u2014' or '\u2212' => '-', // dashes, minus
                '\u2018' or '\u2019' or '\u2032' => '\'',
                '\u201C' or '\u201D' or '\u2033' => '"',
                '\u00D7' => 'x', // multiplication sign in dimensions
                _ when char.IsControl(c) && !char.IsWhiteSpace(c) => ' ',
                _ => c,
            });
        }

        return builder.ToString();
    }

    private static string NormalizeUnits(string text)
    {
        text = MixedFraction().Replace(text, m => FormatNumber(
            int.Parse(m.Groups["whole"].Value, CultureInfo.InvariantCulture) + Fraction(m)));
        text = SimpleFraction().Replace(text, m => FormatNumber(Fraction(m)));
        text = DimensionCross().Replace(text, " x ");
        text = CubicFeet().Replace(text, "${n} cubic feet");
        text = SquareFeet().Replace(text, "${n} square feet");
        text = Inch().Replace(text, "${n} inch");
        text = Foot().Replace(text, "${n} feet");
        text = Gallon().Replace(text, "${n} gallon");
        text = Pound().Replace(text, "${n} pound");
        text = Ounce().Replace(text, "${n} ounce");
        text = Volt().Replace(text, "${n} volt");
        text = Watt().Replace(text, "${n} watt");
        text = Degree().Replace(text, "${n} degree");
        return text;
    }

    private static double Fraction(Match m) =>
        int.Parse(m.Groups["num"].Value, CultureInfo.InvariantCulture)
        / (double)int.Parse(m.Groups["den"].Value, CultureInfo.InvariantCulture);

    private static string FormatNumber(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"<\s*/?\s*(br|p|div|li|ul|ol|tr|td|th|h[1-6])\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlBlockTag();

    [GeneratedRegex(@"<[^<>]*>")]
    private static partial Regex HtmlTag();

    // "1-1/2" and "1 1/2" (whole number, then a proper fraction).
    [GeneratedRegex(@"(?<![\d/.])(?<whole>\d{1,3})[\s-]+(?<num>\d{1,2})/(?<den>[1-9]\d?)(?![\d/])")]
    private static partial Regex MixedFraction();

    [GeneratedRegex(@"(?<![\d/.])(?<num>\d{1,2})/(?<den>[1-9]\d?)(?![\d/])")]
    private static partial Regex SimpleFraction();

    // The "x" between two measurements: "2x4", "36 in.x 80 in.".
    [GeneratedRegex(@"(?<=\d(?:\s*(?:in\.?|ft\.?|""|'))?)\s*[xX]\s*(?=\d)")]
    private static partial Regex DimensionCross();

    [GeneratedRegex(@"(?<n>\d)\s*(?:cu\.?\s*ft\.?|cubic\s+f(?:ee|oo)t|ft\.?\s*3|ft³)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex CubicFeet();

    [GeneratedRegex(@"(?<n>\d)\s*(?:sq\.?\s*ft\.?|square\s+f(?:ee|oo)t|ft\.?\s*2|ft²)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex SquareFeet();

    // "in" only right after a number and not in "2 in 1"; a bare double quote counts as inches.
    [GeneratedRegex(@"(?<n>\d)\s*(?:inches|inch|in\.|in(?![a-z\d])(?!\s+\d)|""|'')", RegexOptions.IgnoreCase)]
    private static partial Regex Inch();

    [GeneratedRegex(@"(?<n>\d)\s*(?:feet|foot|ft\.?(?![a-z])|'(?!'))", RegexOptions.IgnoreCase)]
    private static partial Regex Foot();

    [GeneratedRegex(@"(?<n>\d)\s*(?:gallons|gallon|gal\.?)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Gallon();

    [GeneratedRegex(@"(?<n>\d)\s*(?:pounds|pound|lbs\.?|lb\.?)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Pound();

    [GeneratedRegex(@"(?<n>\d)\s*(?:ounces|ounce|oz\.?)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Ounce();

    [GeneratedRegex(@"(?<n>\d)\s*(?:volts|volt|v)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Volt();

    [GeneratedRegex(@"(?<n>\d)\s*(?:watts|watt|w)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Watt();

    [GeneratedRegex(@"(?<n>\d)\s*(?:°|degrees|degree|deg\.?)(?![a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex Degree();
}
