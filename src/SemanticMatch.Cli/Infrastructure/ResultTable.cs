using System.Globalization;
using SemanticMatch.CommandLine;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;
using Spectre.Console;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>Renders ranked products as a table.</summary>
internal static class ResultTable
{
    public static Table Of(string query, SearchMethod method, IReadOnlyList<RankedProduct> results)
    {
        var table = new Table()
            .Title($"[bold]{Markup.Escape(query)}[/] ({method.ToString().ToLowerInvariant()})")
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("product_id")
            .AddColumn("title")
            .AddColumn(new TableColumn("score").RightAligned());
        var probabilities = results.Any(r => r.Probability is not null);
        if (probabilities)
        {
            table.AddColumn(new TableColumn("P(relevant)").RightAligned());
        }

        foreach (var result in results)
        {
            string[] cells = [result.Rank.ToString(CultureInfo.InvariantCulture), Markup.Escape(result.Product.Id), Markup.Escape(result.Product.Title),
                result.Score.ToString("F4", CultureInfo.InvariantCulture)];
            table.AddRow(probabilities ? [.. cells, result.Probability?.ToString("F3", CultureInfo.InvariantCulture) ?? "-"] : cells);
        }

        if (results.Count == 0)
        {
            table.Caption("no results");
        }

        return table;
    }

    /// <summary>Tells the user when spelling correction changed the query.</summary>
    public static void NoteCorrection(CatalogueIndex index, string query, bool spellCorrection)
    {
        var prepared = index.PrepareQuery(query, spellCorrection);
        if (spellCorrection && prepared != index.NormalizeQuery(query))
        {
            Consoles.Out.MarkupLineInterpolated($"[grey]showing results for[/] [bold]{prepared}[/] [grey](use --no-spell to search for \"{query}\")[/]");
        }
    }

    /// <summary>One row per rank, one column per method, so keyword and semantic results can be compared.</summary>
    public static Table Compare(string query, IReadOnlyDictionary<SearchMethod, IReadOnlyList<RankedProduct>> byMethod, int top)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(query)}[/]").AddColumn(new TableColumn("#").RightAligned());
        foreach (var method in byMethod.Keys)
        {
            table.AddColumn(method.ToString().ToLowerInvariant());
        }

        for (var rank = 0; rank < top; rank++)
        {
            var row = new List<string> { (rank + 1).ToString(CultureInfo.InvariantCulture) };
            row.AddRange(byMethod.Values.Select(results => rank < results.Count ? Markup.Escape(results[rank].Product.Title) : "[grey]-[/]"));
            table.AddRow([.. row]);
        }

        return table;
    }

    /// <summary>One line: BM25 terms, the query and product words that move the dense score most, hybrid shares.</summary>
    public static string Explanation(HitExplanation explanation)
    {
        static string Parts(IEnumerable<(string Word, float Value)> parts) =>
            string.Join(", ", parts.Select(p => $"{p.Word} {p.Value.ToString("F2", CultureInfo.InvariantCulture)}"));
        var line = $"BM25 {Parts(explanation.Bm25.Terms.Select(t => (t.Word, t.Contribution)))}" +
            $" | dense query {Parts(explanation.Dense.QueryWords.Select(w => (w.Word, w.Contribution)))}" +
            $"; product {Parts(explanation.Dense.ProductWords.OrderByDescending(w => w.Contribution).Take(3).Select(w => (w.Word, w.Contribution)))}";
        return explanation.Fusion is { } fusion
            ? $"{line} | hybrid {fusion.Bm25Share.ToString("P0", CultureInfo.InvariantCulture)} BM25, {fusion.DenseShare.ToString("P0", CultureInfo.InvariantCulture)} dense"
            : line;
    }
}
