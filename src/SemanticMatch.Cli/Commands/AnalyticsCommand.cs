using System.ComponentModel;
using System.Globalization;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch analytics</c>: a collection's search analytics from its traffic log (what <c>GET .../analytics</c> answers).</summary>
internal sealed class AnalyticsCommand : AsyncCommand<AnalyticsCommand.Settings>
{
    internal sealed class Settings : LogWindowSettings
    {
        [CommandOption("--limit <N>")]
        [Description("Queries listed in each list (top, without results, without clicks).")]
        [DefaultValue(SearchAnalytics.DefaultListed)]
        public int Limit { get; init; } = SearchAnalytics.DefaultListed;

        [CommandOption("--json")]
        [Description("Print the report as JSON, as the service's GET /v1/collections/NAME/analytics answers it.")]
        public bool Json { get; init; }

        protected override string? Problem() =>
            Limit is < 1 or > SearchAnalytics.MaxListed ? $"--limit must be between 1 and {SearchAnalytics.MaxListed}" : null;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (from, to) = settings.Window(DateTimeOffset.UtcNow);
        var report = await settings.WithTrafficLogAsync(settings.Collection,
            log => SearchAnalytics.ComputeAsync(log.ReadAsync(settings.Collection, cancellationToken), from, to, settings.Limit, cancellationToken),
            cancellationToken);

        if (settings.Json)
        {
            JsonOutput.Print(report);
            return 0;
        }

        Print(settings.Collection, report);
        return 0;
    }

    private static void Print(string collection, SearchAnalyticsReport report)
    {
        Consoles.Out.MarkupLineInterpolated($"[bold]{collection}[/]: {report.Searches} searches from {report.From:u} to {report.To:u}");
        if (report.Searches == 0)
        {
            return;
        }

        Consoles.Out.MarkupLineInterpolated(
            $"without results {Percent(report.NoResults, report.Searches)}, click-through {report.ClickThroughRate.ToString("P1", CultureInfo.InvariantCulture)}, mean click position {Position(report.MeanClickPosition)}{(report.WithoutQueryText > 0 ? $", {report.WithoutQueryText} logged without their text" : "")}");
        Write("top queries", report.TopQueries);
        Write("queries without results", report.NoResultQueries);
        Write("queries with results but no clicks", report.NoClickQueries);
    }

    private static void Write(string title, IReadOnlyList<QueryAnalytics> queries)
    {
        if (queries.Count == 0)
        {
            Consoles.Out.MarkupLineInterpolated($"{title}: none");
            return;
        }

        var table = new Table().Title(title).AddColumns("query", "searches", "no results", "click-through", "mean click position");
        foreach (var q in queries)
        {
            table.AddRow(Markup.Escape(q.Query), q.Searches.ToString(CultureInfo.InvariantCulture), q.NoResults.ToString(CultureInfo.InvariantCulture),
                q.ClickThroughRate.ToString("P1", CultureInfo.InvariantCulture), Position(q.MeanClickPosition));
        }

        Consoles.Out.Write(table);
    }

    private static string Percent(int part, int whole) => ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);

    private static string Position(double? position) => position?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
