using System.Reflection;
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
}
