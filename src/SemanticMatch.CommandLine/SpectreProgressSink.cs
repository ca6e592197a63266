using SemanticMatch.Core;
using Spectre.Console;

namespace SemanticMatch.CommandLine;

/// <summary>Shows each engine step as a Spectre progress bar on standard error.</summary>
public sealed class SpectreProgressSink(ProgressContext context) : IProgressSink
{
    /// <inheritdoc/>
    public IProgress<int> Begin(string description, int total)
    {
        var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
        return new TaskProgress(task);
    }

    /// <inheritdoc/>
    public void Note(string message) => Consoles.Error.MarkupLine(Markup.Escape(message));

    /// <summary>Runs <paramref name="work"/> with progress bars (elapsed, remaining, rate) on standard error.</summary>
    public static T Run<T>(Func<IProgressSink, T> work) => Bars().Start(context => work(new SpectreProgressSink(context)));

    /// <summary>Runs asynchronous <paramref name="work"/> with progress bars on standard error.</summary>
    public static Task RunAsync(Func<IProgressSink, Task> work) => Bars().StartAsync(context => work(new SpectreProgressSink(context)));

    /// <summary>Runs asynchronous <paramref name="work"/> with progress bars on standard error and returns its result.</summary>
    public static Task<T> RunAsync<T>(Func<IProgressSink, Task<T>> work) => Bars().StartAsync(context => work(new SpectreProgressSink(context)));

    private static Progress Bars() =>
        Consoles.Error.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    // Synchronous, unlike Progress<T>, so bars never lag or arrive out of order.
    private sealed class TaskProgress(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Value = value;
    }
}
