using SemanticMatch.Cli.Train;
using SemanticMatch.CommandLine;
using Spectre.Console.Cli;

var app = new CommandApp<TrainCommand>();
app.Configure(config =>
{
    config.SetApplicationName("semmatch-train");
    config.ConfigureConsole(Consoles.Out);
    config.AddExample("--train", "train.csv", "--dev", "dev.csv", "--products", "products.csv", "--objective", "mnrl", "--out", "minilm-ft");
    config.UseStrictParsing();
    config.SetExceptionHandler((exception, _) => Failures.Report(exception, Failures.LogDirectory));
});

return CommandLineHost.Run("semmatch-train", app, args, new Dictionary<string, Type>(StringComparer.Ordinal) { [""] = typeof(TrainCommand.Settings) });
