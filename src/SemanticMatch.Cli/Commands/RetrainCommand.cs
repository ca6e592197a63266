using System.ComponentModel;
using System.Globalization;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Retraining;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary>
/// <c>semmatch retrain</c>: the learning loop in one command (<see cref="Retrainer"/>): judgments from the log, training
/// from the serving model (semmatch-train), comparison on a later slice of the log, a new generation when better.
/// </summary>
internal sealed class RetrainCommand : AsyncCommand<RetrainCommand.Settings>
{
    internal sealed class Settings : LogWindowSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Directory for the new model, its training data and retrain-decision.json.")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--holdout <SHARE>")]
        [Description("The last share of the window kept out of training to compare the models on.")]
        [DefaultValue(0.2)]
        public double Holdout { get; init; } = 0.2;

        [CommandOption("--margin <NDCG>")]
        [Description("How much higher the candidate's held-out NDCG@10 must be for a new generation.")]
        [DefaultValue(0.005)]
        public double Margin { get; init; } = 0.005;

        [CommandOption("--click-model <MODEL>")]
        [Description("How clicks become judgments: position-based (corrects for position) or naive (the old 0-3 grades, for comparison).")]
        [DefaultValue("position-based")]
        public string ClickModel { get; init; } = "position-based";

        [CommandOption("--min-evidence <N>")]
        [Description("Searches with events a (query, product) pair needs to become a judgment.")]
        [DefaultValue(3)]
        public int MinEvidence { get; init; } = 3;

        [CommandOption("--epochs <N>")]
        [Description("Training epochs (passed to semmatch train).")]
        [DefaultValue(1)]
        public int Epochs { get; init; } = 1;

        [CommandOption("--seed <N>")]
        [Description("Training seed (passed to semmatch train).")]
        [DefaultValue(13)]
        public int Seed { get; init; } = 13;

        [CommandOption("--dev <FILE>")]
        [Description("Judgments (query,product_id,relevance) to select the training epoch by. Default: the judgments of 500 training queries spread over them.")]
        public string? Dev { get; init; }

        [CommandOption("--dry-run")]
        [Description("Train, compare and record the decision, but start no generation.")]
        public bool DryRun { get; init; }

        protected override string? Problem()
        {
            string? problem = this switch
            {
                { Out: null or "" } => "--out is required",
                { Holdout: <= 0 or >= 1 } => "--holdout must be between 0 and 1 (exclusive)",
                { Margin: < -1 or > 1 } => "--margin must be between -1 and 1 (below 0: promote unless worse by more)",
                { MinEvidence: < 1 } => "--min-evidence must be at least 1",
                { Epochs: < 1 or > 100 } => "--epochs must be between 1 and 100",
                _ => null,
            };
            try
            {
                _ = ClickModels.Parse(ClickModel, "--click-model");
            }
            catch (Core.InvalidRequestException e)
            {
                problem ??= e.Message;
            }

            return problem;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (from, to) = settings.Window(DateTimeOffset.UtcNow);
        Inputs.CheckNewDirectory("--out", settings.Out);
        if (settings.Dev is { } dev && !File.Exists(dev))
        {
            throw new UserError($"--dev: '{dev}' does not exist");
        }

        var options = new RetrainOptions
        {
            HoldoutShare = settings.Holdout,
            Margin = settings.Margin,
            Judgments = new JudgmentOptions { ClickModel = ClickModels.Parse(settings.ClickModel, "--click-model"), MinEvidence = settings.MinEvidence },
            StartGeneration = !settings.DryRun,
            Dev = settings.Dev is null ? null : Path.GetFullPath(settings.Dev),
        };
        var decision = await settings.WithStoreAsync(settings.Collection, async (store, log, models) =>
        {
            var decision = await Retrainer.RunAsync(store, log, models, settings.Collection, from, to, settings.Out, (job, _) => Train(job, settings),
                options, cancellationToken);
            if (decision.Generation is { } number)
            {
                await GenerationBuildCommand.WaitAsync(store, settings.Collection, number, (await store.DescribeAsync(settings.Collection, cancellationToken)).Count,
                    cancellationToken);
            }

            return decision;
        }, cancellationToken);

        Consoles.Out.MarkupLineInterpolated(
            $"{decision.TrainJudgments} judgments trained on ({decision.From:u} to {decision.Split:u}), {decision.HeldOutJudgments} held out ({decision.HeldOutQueries} queries ranked)");
        Consoles.Out.MarkupLineInterpolated($"[bold]{(decision.Promoted ? "promoted" : "kept")}[/]: {decision.Reason}");
        Consoles.Out.MarkupLineInterpolated($"recorded in [blue]{Path.Combine(settings.Out, RetrainDecision.FileName)}[/]");
        return 0;
    }

    private static Task Train(TrainingJob job, Settings settings)
    {
        var code = TrainingTool.Run(["--train", job.Judgments, "--dev", job.Dev, "--products", job.Products, "--fields", string.Join(',', job.Fields), "--base", job.BaseModel,
            "--out", job.Output, "--relevant-threshold", job.RelevantThreshold.ToString(CultureInfo.InvariantCulture), "--epochs", settings.Epochs.ToString(CultureInfo.InvariantCulture),
            "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture)]);
        return code == 0 ? Task.CompletedTask : throw new UserError($"training failed (semmatch train exited {code}); nothing changed, the serving model serves on");
    }
}
