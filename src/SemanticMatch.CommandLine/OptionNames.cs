using System.Reflection;
using SemanticMatch.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>The command-line name of a settings property, so that an options record's problem names the option the user typed.</summary>
public static class OptionNames
{
    /// <summary>"--lr" for the property LearningRate of <typeparamref name="TSettings"/>; the property name when it is no option.</summary>
    public static string Of<TSettings>(string property) =>
        typeof(TSettings).GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetCustomAttribute<CommandOptionAttribute>() is { } option
            ? "--" + option.LongNames[0]
            : property;

    /// <summary>
    /// An options record's problem as a command-line error ("--top must be at least 1"), or null when there is none;
    /// <paramref name="renamed"/> maps record properties to settings properties where their names differ.
    /// </summary>
    public static ValidationResult? Error<TSettings>(OptionProblem? problem, IReadOnlyDictionary<string, string>? renamed = null) =>
        problem is null
            ? null
            : ValidationResult.Error($"{Of<TSettings>(renamed?.GetValueOrDefault(problem.Property) ?? problem.Property)} {problem.Rule}");
}
