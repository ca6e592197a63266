using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Server;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch keys add</c>: creates an API key for the service and prints its secret once.</summary>
internal sealed class KeysAddCommand : Command<KeysAddCommand.Settings>
{
    internal sealed class Settings : DataSettings
    {
        [CommandOption("--name <NAME>")]
        [Description("A name for the key (who or what uses it).")]
        public string Name { get; init; } = string.Empty;

        [CommandOption("--scopes <LIST>")]
        [Description("Comma-separated: read (search, similar, match, embed), write (records, feedback), admin (collections).")]
        [DefaultValue("read")]
        public string Scopes { get; init; } = "read";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Name)
                ? ValidationResult.Error("--name is required")
                : OptionNames.Error<Settings>(ApiKeys.Problem(Name, Scopes)) ?? base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var secret = ApiKeys.Add(settings.DataDirectory, settings.Name, settings.Scopes);
        Consoles.Error.WriteLine($"added key '{settings.Name}'; the secret is shown once, below (a running server reads keys when it starts)");
        Console.Out.WriteLine(secret);
        return 0;
    }
}
