using System.ComponentModel;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.CommandLine;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch demo</c>: indexes the bundled catalogue and shows keyword, semantic and hybrid results side by side.</summary>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    private static readonly string[] s_defaultQueries = ["cordless drill", "white kitchen faucet", "cordles dril"];

    internal sealed class Settings : ModelSettings
    {
        [CommandArgument(0, "[QUERIES]")]
        [Description("Queries to run (default: \"cordless drill\", \"white kitchen faucet\" and the misspelled \"cordles dril\").")]
        public string[] Queries { get; init; } = [];

        [CommandOption("-k|--top <N>")]
        [Description("Results per method.")]
        [DefaultValue(5)]
        public int Top { get; init; } = 5;

        [CommandOption("--no-spell")]
        [Description("Do not correct query words that no product contains (e.g. \"dril\" -> \"drill\").")]
        public bool NoSpell { get; init; }

        public override ValidationResult Validate() =>
            OptionNames.Error<Settings>(ToOptions(SearchMethod.Hybrid).Problem()) ?? base.Validate();

        /// <summary>The search of one method these options ask for.</summary>
        public SearchOptions ToOptions(SearchMethod method) => new() { Method = method, Top = Top, SpellCorrection = !NoSpell };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var modelSource = settings.Model ?? BundledModels.DefaultKey;
        using var encoder = Inputs.Encoder(settings, modelSource);
        using var index = DemoCatalogue.Open(encoder, modelSource, cancellationToken);
        Consoles.Out.MarkupLineInterpolated(
            $"Demo catalogue: [blue]{DemoCatalogue.ProductsPath}[/] ({index.Products.Count} products), model {encoder.Model.Config.Name}");
        foreach (var query in settings.Queries.Length > 0 ? settings.Queries : s_defaultQueries)
        {
            var byMethod = new Dictionary<SearchMethod, IReadOnlyList<RankedProduct>>();
            foreach (var method in Enum.GetValues<SearchMethod>())
            {
                byMethod[method] = await index.SearchAsync(query, settings.ToOptions(method), cancellationToken);
            }

            ResultTable.NoteCorrection(index, query, !settings.NoSpell);
            Consoles.Out.Write(ResultTable.Compare(query, byMethod, settings.Top));
            Consoles.Out.WriteLine();
        }

        Consoles.Out.MarkupLine("Next: [grey]semmatch search \"your query\"[/], or index your own catalogue with [grey]semmatch index --products FILE --out DIR[/].");
        return 0;
    }
}
