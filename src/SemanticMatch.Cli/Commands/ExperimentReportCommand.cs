using System.ComponentModel;
using System.Globalization;
using SemanticMatch.Collections.Experiments;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch experiment report</c>: each interleaved candidate's wins, losses and ties from a collection's log (what <c>GET .../experiment</c> answers).</summary>
internal sealed class ExperimentReportCommand : AsyncCommand<ExperimentReportCommand.Settings>
{
    internal sealed class Settings : LogWindowSettings
    {
        [CommandOption("--json")]
        [Description("Print the results as JSON, as the service's GET /v1/collections/NAME/experiment lists them.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (from, to) = settings.Window(DateTimeOffset.UtcNow);
        var results = await settings.WithTrafficLogAsync(settings.Collection,
            log => InterleavingReport.ComputeAsync(log.ReadAsync(settings.Collection, cancellationToken), from, to, cancellationToken), cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Print(results);
            return 0;
        }

        Consoles.Out.MarkupLineInterpolated($"[bold]{settings.Collection}[/]: interleaved searches from {from:u} to {to:u}");
        if (results.Count == 0)
        {
            Consoles.Out.MarkupLine("none (start one with PUT /v1/collections/NAME/experiment)");
            return 0;
        }

        var table = new Table().AddColumns("candidate", "searches", "with clicks", "wins", "losses", "ties", "queries", "preference", "95% interval", "verdict");
        foreach (var r in results)
        {
            table.AddRow(Markup.Escape(r.Candidate), Count(r.Searches), Count(r.WithClicks), Count(r.Wins), Count(r.Losses), Count(r.Ties), Count(r.Queries),
                Signed(r.Preference), Markup.Escape($"[{Signed(r.Low)}, {Signed(r.High)}]"), r.Verdict);
        }

        Consoles.Out.Write(table);
        return 0;
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Signed(double x) => x.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
}
