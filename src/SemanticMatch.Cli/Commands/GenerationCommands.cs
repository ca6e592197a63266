using System.ComponentModel;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.CommandLine;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary>Options of the commands that act on one embedded collection's generations (the server stopped).</summary>
internal class GenerationSettings : DataSettings
{
    [CommandOption("-c|--collection <NAME>")]
    [Description("The collection.")]
    public string Collection { get; init; } = string.Empty;

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Collection) ? ValidationResult.Error("--collection is required") : base.Validate();

    /// <summary>Opens the data directory's store (refused while a server holds it).</summary>
    /// <exception cref="UserError">The data directory has no such collection.</exception>
    public EmbeddedCollectionStore Open(ModelProvider models)
    {
        if (!EmbeddedCollectionStore.Holds(DataDirectory, Collection))
        {
            throw new UserError($"--collection: {DataDirectory} has no collection '{Collection}'");
        }

        return EmbeddedCollectionStore.Open(DataDirectory, models, new CollectionOptions { Rankers = new RankerProvider().Open });
    }
}

/// <summary><c>semmatch generation build</c>: re-embeds a collection with another model, with a progress bar, then serves it.</summary>
internal sealed class GenerationBuildCommand : AsyncCommand<GenerationBuildCommand.Settings>
{
    internal sealed class Settings : GenerationSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("The new bi-encoder: minilm, minilm-int8, arctic, arctic-int8 or a model directory (e.g. one 'semmatch train' wrote).")]
        public string Model { get; init; } = string.Empty;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var models = new ModelProvider();
        await using var store = settings.Open(models);
        var current = await store.DescribeAsync(settings.Collection, cancellationToken);
        var model = Directory.Exists(settings.Model) ? Path.GetFullPath(settings.Model) : settings.Model;
        var number = await store.StartGenerationAsync(settings.Collection, current.Settings with { Model = model }, cancellationToken);
        await WaitAsync(store, settings.Collection, number, current.Count, cancellationToken);
        Consoles.Out.MarkupLineInterpolated(
            $"collection '{settings.Collection}' now serves generation {number} ({model}); generation {current.Generation} stays for 'semmatch generation rollback'");
        return 0;
    }

    /// <summary>Waits for generation <paramref name="number"/> to serve, with a progress bar (a command that exits would stop the build).</summary>
    /// <exception cref="UserError">The build was discarded; the reason is in the message.</exception>
    public static async Task WaitAsync(ICollectionStore store, string collection, int number, int records, CancellationToken cancellationToken)
    {
        var done = await SpectreProgressSink.RunAsync(async sink =>
        {
            var bar = sink.Begin($"generation {number}: re-embedding {records} records", 1000);
            while (true)
            {
                var info = await store.DescribeAsync(collection, cancellationToken);
                if (info.Building is not { } building)
                {
                    bar.Report(1000);
                    return info;
                }

                bar.Report((int)(building.Progress * 1000));
                await Task.Delay(200, cancellationToken);
            }
        });
        if (done.Generation != number)
        {
            throw new UserError($"generation {number} was not completed ({done.BuildFailure ?? "no reason recorded"}); generation {done.Generation} serves on");
        }
    }
}

/// <summary><c>semmatch generation rollback</c>: serves the previous generation again.</summary>
internal sealed class GenerationRollbackCommand : AsyncCommand<GenerationRollbackCommand.Settings>
{
    internal sealed class Settings : GenerationSettings;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var models = new ModelProvider();
        await using var store = settings.Open(models);
        var serving = await store.RollbackAsync(settings.Collection, cancellationToken);
        var info = await store.DescribeAsync(settings.Collection, cancellationToken);
        Consoles.Out.MarkupLineInterpolated($"collection '{settings.Collection}' serves generation {serving} ({info.Settings.Model}) again");
        return 0;
    }
}
