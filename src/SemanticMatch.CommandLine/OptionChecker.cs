using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>
/// Checks a command line against the command's settings before Spectre binds it, so that a misspelt option fails with the
/// nearest valid one suggested, and a bad value names its option and what it expects ("--top: 'abc' is not a whole number").
/// </summary>
/// <remarks>
/// Hand-written because Spectre.Console.Cli reports conversion failures as the converter's exception (no option name,
/// a stack trace for enums) and ignores unknown options unless strict; its own parsing still binds the values afterwards.
/// </remarks>
public static class OptionChecker
{
    private static readonly string[] s_helpFlags = ["-h", "--help", "-?"];

    /// <summary>Returns the first problem of <paramref name="args"/> given to <paramref name="tool"/>, or null when Spectre can take them.</summary>
    public static string? Problem(string tool, IReadOnlyList<string> args, IReadOnlyDictionary<string, Type> settingsByCommand)
    {
        // A command of a branch ("keys add") is named by its first two words; a single-command tool's command by none ("").
        var words = args.Count > 1 && settingsByCommand.ContainsKey($"{args[0]} {args[1]}") ? 2
            : args.Count > 0 && settingsByCommand.ContainsKey(args[0]) ? 1
            : 0;
        var command = string.Join(' ', args.Take(words));
        if (!settingsByCommand.TryGetValue(command, out var settingsType))
        {
            return null; // no command, or an unknown one: Spectre suggests commands itself
        }

        var options = OptionsOf(settingsType);
        for (var i = words; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                return null;
            }

            if (!IsOption(token))
            {
                continue;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? token[..equals] : token;
            if (s_helpFlags.Contains(name))
            {
                return null;
            }

            if (!options.TryGetValue(name, out var option))
            {
                return Unknown(words == 0 ? tool : $"{tool} {command}", name, options.Keys);
            }

            if (option.IsFlag)
            {
                if (equals > 0 && !bool.TryParse(token[(equals + 1)..], out _))
                {
                    return $"{option.Name}: '{token[(equals + 1)..]}' is not true or false (it is a switch: give it alone)";
                }

                continue;
            }

            string value;
            if (equals > 0)
            {
                value = token[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                return $"{option.Name} needs a value ({option.ValueName})";
            }

            if (ValueProblem(option, value) is { } problem)
            {
                return $"{option.Name}: {problem}";
            }
        }

        return null;
    }

    private static bool IsOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string? ValueProblem(OptionInfo option, string value)
    {
        var type = Nullable.GetUnderlyingType(option.Type) ?? option.Type;
        if (type == typeof(int))
        {
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var wide))
            {
                return wide is < int.MinValue or > int.MaxValue ? $"{value} is too large" : null;
            }

            return $"'{value}' is not a whole number";
        }

        if (type == typeof(long))
        {
            return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not a whole number";
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? null
                : $"'{value}' is not a number (use '.' for decimals)";
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            var normalized = value.Replace("-", string.Empty, StringComparison.Ordinal);
            return names.Any(n => string.Equals(n, normalized, StringComparison.OrdinalIgnoreCase))
                ? null
                : $"'{value}' is not one of: {string.Join(", ", names.Select(KebabCase.Of))}";
        }

        return null;
    }

    private static string Unknown(string invocation, string name, IEnumerable<string> known)
    {
        var nearest = known
            .Where(k => k.StartsWith("--", StringComparison.Ordinal))
            .Select(k => (Name: k, Distance: Levenshtein(name.TrimStart('-'), k[2..])))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        var hint = nearest.Name is not null && nearest.Distance <= Math.Max(2, name.Length / 3)
            ? $"; did you mean '{nearest.Name}'?"
            : string.Empty;
        return $"unknown option '{name}' for '{invocation}'{hint} (see '{invocation} --help')";
    }

    private static Dictionary<string, OptionInfo> OptionsOf(Type settingsType)
    {
        var options = new Dictionary<string, OptionInfo>(StringComparer.Ordinal);
        foreach (var property in settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<CommandOptionAttribute>() is not { } attribute)
            {
                continue;
            }

            var longName = "--" + attribute.LongNames[0];
            var info = new OptionInfo(longName, property.PropertyType, attribute.ValueName, attribute.ValueName is null);
            foreach (var name in attribute.LongNames.Select(n => "--" + n).Concat(attribute.ShortNames.Select(n => "-" + n)))
            {
                options[name] = info;
            }
        }

        return options;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private sealed record OptionInfo(string Name, Type Type, string? ValueName, bool IsFlag);
}
