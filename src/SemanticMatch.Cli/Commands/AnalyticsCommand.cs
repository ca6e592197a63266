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
    internal sealed class Settings : StoreSettings
    {
        [CommandOption("-c|--collection <NAME>")]
        [Description("The collection whose searches to analyse.")]
        public string Collection { get; init; } = string.Empty;

        [CommandOption("--from <TIME>")]
        [Description("Start of the window (ISO 8601 date or time, UTC unless it says otherwise). Default: 30 days before --to.")]
        public string? From { get; init; }

        [CommandOption("--to <TIME>")]
        [Description("End of the window, exclusive. Default: now.")]
        public string? To { get; init; }

        [CommandOption("--limit <N>")]
        [Description("Queries listed in each list (top, without results, without clicks).")]
        [DefaultValue(SearchAnalytics.DefaultListed)]
        public int Limit { get; init; } = SearchAnalytics.DefaultListed;

        [CommandOption("--json")]
        [Description("Print the report as JSON, as the service's GET /v1/collections/NAME/analytics answers it.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Collection))
            {
                return ValidationResult.Error("--collection is required");
            }

            if (Limit is < 1 or > SearchAnalytics.MaxListed)
            {
                return ValidationResult.Error($"--limit must be between 1 and {SearchAnalytics.MaxListed}");
            }

            try
            {
                _ = AnalyticsWindow.Parse(From, To, DateTimeOffset.UtcNow, "--from", "--to");
            }
            catch (Core.InvalidRequestException e)
            {
                return ValidationResult.Error(e.Message);
            }

            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (from, to) = AnalyticsWindow.Parse(settings.From, settings.To, DateTimeOffset.UtcNow, "--from", "--to");
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
