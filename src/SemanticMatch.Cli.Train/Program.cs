using SemanticMatch.Cli.Train;
using SemanticMatch.CommandLine;
using Spectre.Console.Cli;

// "semmatch train" runs this tool and says so (SEMANTICMATCH_INVOKED_AS), so help and errors name what the user typed.
var name = Environment.GetEnvironmentVariable("SEMANTICMATCH_INVOKED_AS") is { Length: > 0 } invokedAs ? invokedAs : "semmatch-train";
var app = new CommandApp<TrainCommand>();
app.Configure(config =>
{
    config.SetApplicationName(name);
    config.ConfigureConsole(Consoles.Out);
    config.AddExample("--train", "train.csv", "--dev", "dev.csv", "--products", "products.csv", "--objective", "mnrl", "--out", "minilm-ft");
    config.UseStrictParsing();
    config.SetExceptionHandler((exception, _) => Failures.Report(exception, Failures.LogDirectory));
});

return CommandLineHost.Run(name, app, args, new Dictionary<string, Type>(StringComparer.Ordinal) { [""] = typeof(TrainCommand.Settings) });
