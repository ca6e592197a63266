using System.ComponentModel;
using System.Globalization;
using nietras.SeparatedValues;
using SemanticMatch.CommandLine;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch match</c>: the relevance S(q, d) of given query/product pairs.</summary>
internal sealed class MatchCommand : Command<MatchCommand.Settings>
{
    internal sealed class Settings : CatalogueSettings
    {
        [CommandArgument(0, "[QUERY]")]
        [Description("A query, followed by one or more product texts to score against it.")]
        public string? Query { get; init; }

        [CommandArgument(1, "[TEXTS]")]
        [Description("Product texts.")]
        public string[] Texts { get; init; } = [];

        [CommandOption("--pairs <FILE>")]
        [Description("Pairs to score: judgments (query,product_id,relevance; needs --products), or labelled text pairs as they are (query,title,label as QBQTC's JSON Lines; sentence1,sentence2,label).")]
        public string? Pairs { get; init; }

        [CommandOption("-p|--products <FILE>")]
        [Description("Products file for --pairs of judgments by product id.")]
        public string? Products { get; init; }

        [CommandOption("--similarity <METRIC>")]
        [Description("cosine (default), dot, euclidean (negated distance) or jaccard (token-set overlap, no model); a cross-encoder --model scores each pair itself.")]
        [DefaultValue(SimilarityMetric.Cosine)]
        [TypeConverter(typeof(KebabCaseEnumConverter<SimilarityMetric>))]
        public SimilarityMetric Similarity { get; init; } = SimilarityMetric.Cosine;

        [CommandOption("-o|--out <FILE>")]
        [Description("Write query,product_id,relevance,score as CSV here (with --pairs).")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Pairs is null && (string.IsNullOrWhiteSpace(Query) || Texts.Length == 0))
            {
                return ValidationResult.Error("give a query and at least one product text, or --pairs FILE --products FILE");
            }

            if (Pairs is not null && Query is not null)
            {
                return ValidationResult.Error("--pairs takes no positional query");
            }

            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Out is not null)
        {
            Inputs.CheckOutputFile("--out", settings.Out);
        }

        var text = settings.ToProductText();
        List<(string Query, string ProductId, double? Relevance, string Text)> pairs;
        if (settings.Pairs is null)
        {
            pairs = settings.Texts.Select((t, i) => (settings.Query!, $"#{i + 1}", (double?)null, text.OfQuery(t))).ToList();
        }
        else
        {
            var (catalogue, judgments) = Inputs.JudgedProducts(settings.Products, [settings.Pairs], settings.ToReadOptions());
            Inputs.CheckFields(text, catalogue, settings.Products ?? settings.Pairs);
            var products = catalogue.ToDictionary(p => p.Id, StringComparer.Ordinal);
            pairs = judgments[0]
                .Select(j => (j.Query, j.ProductId, (double?)j.Relevance, text.Of(products[j.ProductId])))
                .ToList();
        }

        var (scores, label) = Score(settings, pairs.Select(p => text.OfQuery(p.Query)).ToList(), pairs.Select(p => p.Text).ToList(), cancellationToken);
        Print(settings, pairs, scores, label);
        return 0;
    }

    // The scores and what they are, for the table's header.
    private static (float[] Scores, string Label) Score(Settings settings, List<string> queries, List<string> texts, CancellationToken cancellationToken)
    {
        var similarity = settings.Similarity.ToString().ToLowerInvariant();
        if (settings.Similarity == SimilarityMetric.Jaccard)
        {
            return (queries.Select((q, i) => TokenJaccard.Score(q, texts[i])).ToArray(), similarity);
        }

        // A cross-encoder reads each pair whole (its score is the model's: probability or predicted relevance); a
        // bi-encoder scores by the similarity of embeddings. One pair scorer either way, as /v1/match and /v1/rerank use.
        var crossEncoder = BundledModels.Resolve(settings.Model).Config.Kind == ModelKind.CrossEncoder;
        using var owned = crossEncoder ? Inputs.Reranker(settings.Model!, settings.BatchSize).Scorer : null;
        using var encoder = crossEncoder ? null : Inputs.Encoder(settings);
        var scorer = (IPairScorer?)owned ?? new EmbeddingPairScorer(encoder!, settings.Similarity);
        var scores = SpectreProgressSink.Run(sink =>
            PairScoring.Score(scorer, queries, texts, sink.Begin($"scoring {texts.Count} pairs", texts.Count), cancellationToken));
        return (scores, crossEncoder ? "cross-encoder" : similarity);
    }

    private static void Print(Settings settings, List<(string Query, string ProductId, double? Relevance, string Text)> pairs, float[] scores, string label)
    {
        if (settings.Out is not null)
        {
            using var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(settings.Out);
            for (var i = 0; i < pairs.Count; i++)
            {
                using var row = writer.NewRow();
                row["query"].Set(pairs[i].Query);
                row["product_id"].Set(pairs[i].ProductId);
                row["relevance"].Set(pairs[i].Relevance?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
                row["score"].Set(scores[i].ToString("R", CultureInfo.InvariantCulture));
            }

            Consoles.Error.MarkupLineInterpolated($"wrote {pairs.Count} scored pairs to [blue]{settings.Out}[/]");
            return;
        }

        if (settings.Json)
        {
            JsonOutput.Print(
                pairs.Select((p, i) => new { query = p.Query, product_id = p.ProductId, relevance = p.Relevance, score = scores[i] }));
            return;
        }

        var table = new Table().AddColumns("query", "product", "relevance", $"score ({label})");
        for (var i = 0; i < pairs.Count; i++)
        {
            var product = settings.Pairs is null ? pairs[i].Text : pairs[i].ProductId;
            table.AddRow(Markup.Escape(pairs[i].Query), Markup.Escape(product),
                pairs[i].Relevance?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-", scores[i].ToString("F4", CultureInfo.InvariantCulture));
        }

        Consoles.Out.Write(table);
    }
}
