using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace SemanticMatch.CommandLine;

/// <summary>
/// Reads an enum option written in kebab case ("cross-graded" for CrossGraded); plain case-insensitive names work too.
/// Spectre's own enum conversion only accepts the member name.
/// </summary>
public sealed class KebabCaseEnumConverter<T> : TypeConverter
    where T : struct, Enum
{
    /// <inheritdoc/>
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    /// <inheritdoc/>
    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        var text = value as string ?? string.Empty;
        if (Enum.TryParse<T>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        throw new UserError($"'{text}' is not one of: {string.Join(", ", Enum.GetNames<T>().Select(KebabCase.Of))}");
    }
}

/// <summary>Kebab-case names of enum members as options show and accept them.</summary>
public static class KebabCase
{
    /// <summary>"CrossGraded" -> "cross-graded"; a capital that ends a word stays joined ("AdamW" -> "adamw", "F16" -> "f16").</summary>
    public static string Of(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && i + 1 < name.Length && char.IsLower(name[i + 1]))
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}

/// <summary>Reads a comma-separated list of enum members in kebab case ("typos,units").</summary>
public static class KebabCaseList
{
    /// <summary>The members named, in order without repeats, and the names that are none of them.</summary>
    public static (List<T> Values, List<string> Unknown) Parse<T>(string? text)
        where T : struct, Enum
    {
        var names = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var byName = Enum.GetValues<T>().ToDictionary(v => KebabCase.Of(v.ToString()), StringComparer.OrdinalIgnoreCase);
        return (names.Where(byName.ContainsKey).Select(n => byName[n]).Distinct().ToList(), names.Where(n => !byName.ContainsKey(n)).ToList());
    }

    /// <summary>Every member's kebab-case name, comma-separated (for messages).</summary>
    public static string Names<T>()
        where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(KebabCase.Of));
}
