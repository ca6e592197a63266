using System.ComponentModel;
using System.Globalization;
using SemanticMatch.CommandLine;
using SemanticMatch.Engine;
using SemanticMatch.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch explain</c>: why a product matches a query (BM25 terms, dense word occlusion, hybrid shares).</summary>
internal sealed class ExplainCommand : AsyncCommand<ExplainCommand.Settings>
{
    internal sealed class Settings : SearchCommand.Settings
    {
        [CommandArgument(1, "<PRODUCT_ID>")]
        [Description("The product to explain.")]
        public string ProductId { get; init; } = string.Empty;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(ProductId))
            {
                return ValidationResult.Error("give the product id to explain");
            }

            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var reranker = settings.Rerank is null ? null : Inputs.Reranker(settings.Rerank, settings.BatchSize).Scorer;
        using var opened = SearchCommand.Open(settings, cancellationToken);
        var explanation = await opened.Index.ExplainAsync(settings.Query, settings.ProductId, settings.ToOptions(reranker), cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Print(new { query = settings.Query, explanation });
            return 0;
        }

        var product = opened.Index.Products[settings.ProductId];
        Consoles.Out.MarkupLineInterpolated($"[bold]{product.Title}[/] ({product.Id}) for \"{explanation.Searched}\"");
        var bm25 = new Table().Title(Markup.Escape($"BM25: score {explanation.Bm25.Score:F3}, rank {Rank(explanation.Bm25.Rank)}"))
            .AddColumns("query word", "term", "contribution");
        foreach (var term in explanation.Bm25.Terms)
        {
            bm25.AddRow(Markup.Escape(term.Word), Markup.Escape(term.Term), term.Contribution.ToString("F3", CultureInfo.InvariantCulture));
        }

        Consoles.Out.Write(bm25);
        var dense = new Table().Title(Markup.Escape($"dense: score {explanation.Dense.Score:F3}, rank {Rank(explanation.Dense.Rank)} (drop when a word is left out)"))
            .AddColumns("query word", "drop", "product word", "drop");
        var productWords = explanation.Dense.ProductWords.OrderByDescending(w => w.Contribution).ToList();
        for (var i = 0; i < Math.Max(explanation.Dense.QueryWords.Count, Math.Min(productWords.Count, 8)); i++)
        {
            var query = i < explanation.Dense.QueryWords.Count ? explanation.Dense.QueryWords[i] : null;
            var word = i < productWords.Count ? productWords[i] : null;
            dense.AddRow(Markup.Escape(query?.Word ?? string.Empty), query?.Contribution.ToString("F3", CultureInfo.InvariantCulture) ?? string.Empty,
                Markup.Escape(word?.Word ?? string.Empty), word?.Contribution.ToString("F3", CultureInfo.InvariantCulture) ?? string.Empty);
        }

        Consoles.Out.Write(dense);
        if (explanation.Fusion is { } fusion)
        {
            Consoles.Out.MarkupLineInterpolated(
                $"hybrid ({KebabCase.Of(fusion.Method.ToString())}): score {fusion.Score:F3} = BM25 {fusion.Bm25Part:F3} ({fusion.Bm25Share:P0}) + dense {fusion.DensePart:F3} ({fusion.DenseShare:P0})");
        }

        if (explanation.Rerank is { } rerank)
        {
            Consoles.Out.MarkupLineInterpolated(
                $"cross-encoder: score {rerank.Score:F3}, first-stage rank {Rank(rerank.FirstStageRank)}; query words: {string.Join(", ", rerank.QueryWords.Select(w => $"{w.Word} {w.Contribution:F3}"))}");
        }

        return 0;
    }

    private static string Rank(int? rank) => rank?.ToString(CultureInfo.InvariantCulture) ?? "beyond the fusion depth";
}
