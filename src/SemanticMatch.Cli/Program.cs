using SemanticMatch.Cli.Commands;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

var settingsByCommand = new Dictionary<string, Type>(StringComparer.Ordinal)
{
    ["demo"] = typeof(DemoCommand.Settings),
    ["search"] = typeof(SearchCommand.RankedSettings),
    ["explain"] = typeof(ExplainCommand.Settings),
    ["index"] = typeof(IndexCommand.Settings),
    ["match"] = typeof(MatchCommand.Settings),
    ["quantize"] = typeof(QuantizeCommand.Settings),
    ["eval"] = typeof(EvalCommand.Settings),
    ["train-ranker"] = typeof(TrainRankerCommand.Settings),
    ["serve"] = typeof(ServeCommand.Settings),
    ["keys add"] = typeof(KeysAddCommand.Settings),
    ["recover"] = typeof(RecoverCommand.Settings),
    ["feedback export"] = typeof(FeedbackExportCommand.Settings),
    ["analytics"] = typeof(AnalyticsCommand.Settings),
    ["experiment report"] = typeof(ExperimentReportCommand.Settings),
    ["retrain"] = typeof(RetrainCommand.Settings),
    ["generation build"] = typeof(GenerationBuildCommand.Settings),
    ["generation rollback"] = typeof(GenerationRollbackCommand.Settings),
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("semmatch");
    config.ConfigureConsole(Consoles.Out);
    config.AddCommand<DemoCommand>("demo")
        .WithDescription("Index the bundled demo catalogue and compare BM25, dense and hybrid results for a few queries.")
        .WithExample("demo")
        .WithExample("demo", "\"led bulbs\"", "\"stainless fridge\"");
    config.AddCommand<SearchCommand>("search")
        .WithDescription("Rank a catalogue for a query (the demo catalogue unless --index is given).")
        .WithExample("search", "\"cordless drill\"")
        .WithExample("search", "\"white kitchen faucet\"", "--index", "my-index", "--method", "dense", "--json");
    config.AddCommand<ExplainCommand>("explain")
        .WithDescription("Explain why a product matches a query: BM25 term contributions, the words that move the dense score (occlusion), each method's rank and share of the hybrid score.")
        .WithExample("explain", "\"cordless drill\"", "DM0004")
        .WithExample("explain", "\"white kitchen faucet\"", "P123", "--index", "my-index", "--json");
    config.AddCommand<IndexCommand>("index")
        .WithDescription("Embed a products file and write a searchable index directory.")
        .WithExample("index", "--products", "products.csv", "--out", "my-index");
    config.AddCommand<MatchCommand>("match")
        .WithDescription("Score query/product pairs: the relevance S(q, d).")
        .WithExample("match", "\"cordless drill\"", "\"20V drill/driver kit\"", "\"drill bit set\"")
        .WithExample("match", "--pairs", "judgments.csv", "--products", "products.csv", "--out", "scored.csv");
    config.AddDelegate<EmptyCommandSettings>("train", (context, _, _) => TrainingTool.Run(context.Arguments.Skip(1).ToList()))
        .WithDescription("Fine-tune a bi-encoder or train a cross-encoder on labelled pairs: runs the semmatch-train tool (TorchSharp, kept out of this tool); 'semmatch train --help' lists its options.")
        .WithExample("train", "--train", "train.csv", "--dev", "dev.csv", "--products", "products.csv", "--objective", "mnrl", "--out", "minilm-ft");
    config.AddCommand<QuantizeCommand>("quantize")
        .WithDescription("Write an int8 copy of a model (weight MatMuls as DynamicQuantizeMatMul with per-column scales).")
        .WithExample("quantize", "--model", "minilm", "--out", "minilm-int8");
    config.AddCommand<EvalCommand>("eval")
        .WithDescription("Evaluate BM25, dense and hybrid search on labelled pairs (NDCG@10, Recall@10/100, MRR@10, ROC-AUC, accuracy/F1, speed).")
        .WithExample("eval", "--products", "products.csv", "--judgments", "dev.csv", "--out", "results");
    config.AddCommand<TrainRankerCommand>("train-ranker")
        .WithDescription("Train a learned ranker (LambdaMART over BM25, dense, cross-encoder and lexical features of the hybrid first stage's top results), calibrated on dev; search, eval and the service use it with --ranker.")
        .WithExample("train-ranker", "--train", "ranker.csv", "--dev", "dev.csv", "--products", "products.csv", "--model", "minilm-ft", "--rerank", "ce-graded", "--out", "ranker");
    config.UseStrictParsing();
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Run the matching service (HTTP API, OpenAPI at /openapi/v1.json, reference UI at /scalar, metrics at /metrics) over a data directory.")
        .WithExample("serve", "--data", "semmatch-data", "--urls", "http://127.0.0.1:8080");
    config.AddCommand<RecoverCommand>("recover")
        .WithDescription("Salvage an embedded collection the server does not open because its log or snapshot is damaged (keeps a copy of each damaged file, reports what was lost).")
        .WithExample("recover", "--data", "semmatch-data", "--collection", "demo");
    config.AddBranch("keys", keys =>
    {
        keys.SetDescription("Manage the service's API keys.");
        keys.AddCommand<KeysAddCommand>("add")
            .WithDescription("Add an API key and print its secret (once).")
            .WithExample("keys", "add", "--data", "semmatch-data", "--name", "shop-frontend", "--scopes", "read");
    });
    config.AddBranch("feedback", feedback =>
    {
        feedback.SetDescription("Use the service's search logs.");
        feedback.AddCommand<FeedbackExportCommand>("export")
            .WithDescription("Turn a collection's logged searches and events into judgments for 'semmatch train' (a click model removes position bias).")
            .WithExample("feedback", "export", "--data", "semmatch-data", "--collection", "demo", "--out", "feedback.csv");
    });
    config.AddCommand<AnalyticsCommand>("analytics")
        .WithDescription("A collection's search analytics from its log: top queries, queries without results or clicks, click-through rate and click position.")
        .WithExample("analytics", "--data", "semmatch-data", "--collection", "demo", "--from", "2026-11-01");
    config.AddCommand<RetrainCommand>("retrain")
        .WithDescription("The learning loop in one command: judgments from the log, a model trained from the serving one, compared on a later slice of the log, a new generation when better.")
        .WithExample("retrain", "--data", "semmatch-data", "--collection", "demo", "--out", "models/demo-retrained");
    config.AddBranch("experiment", experiment =>
    {
        experiment.SetDescription("Interleaving experiments from the service's search logs.");
        experiment.AddCommand<ExperimentReportCommand>("report")
            .WithDescription("Wins, losses and ties of each candidate interleaved with a collection, with a 95% interval, from its log.")
            .WithExample("experiment", "report", "--data", "semmatch-data", "--collection", "demo");
    });
    config.AddBranch("generation", generation =>
    {
        generation.SetDescription("Change an embedded collection's model without re-creating it (the server stopped; a running one does this at POST /v1/collections/NAME/generations).");
        generation.AddCommand<GenerationBuildCommand>("build")
            .WithDescription("Re-embed every record with another model (progress bar), then serve it; the previous generation stays for rollback.")
            .WithExample("generation", "build", "--data", "semmatch-data", "--collection", "demo", "--model", "minilm-int8");
        generation.AddCommand<GenerationRollbackCommand>("rollback")
            .WithDescription("Serve the previous generation again.")
            .WithExample("generation", "rollback", "--data", "semmatch-data", "--collection", "demo");
    });
    config.SetExceptionHandler((exception, _) => Failures.Report(exception, Failures.LogDirectory));
});

// Training options belong to semmatch-train, which checks them itself; strict parsing here would refuse them.
return args is ["train", ..]
    ? TrainingTool.Run(args[1..])
    : CommandLineHost.Run("semmatch", app, args, settingsByCommand);
