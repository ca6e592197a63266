using System.ComponentModel;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.CommandLine;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch search</c>: ranks a catalogue for a query.</summary>
internal sealed class SearchCommand : AsyncCommand<SearchCommand.RankedSettings>
{
    // Properties of SearchOptions whose option has another name.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.Ordinal)
    {
        [nameof(SearchOptions.RerankFirstStageWeight)] = nameof(Settings.FirstStageWeight),
    };

    /// <summary>How many results --explain explains (each costs two encoder batches).</summary>
    private const int ExplainedResults = 10;

    internal class Settings : ModelSettings
    {
        [CommandArgument(0, "<QUERY>")]
        [Description("What the shopper typed.")]
        public string Query { get; init; } = string.Empty;

        [CommandOption("-i|--index <DIR>")]
        [Description("Index directory from 'semmatch index'. Without it, the bundled demo catalogue is searched (indexed on first use).")]
        public string? Index { get; init; }

        [CommandOption("--method <METHOD>")]
        [Description("bm25 (keywords), dense (embedding similarity) or hybrid (both, fused).")]
        [DefaultValue(SearchMethod.Hybrid)]
        [TypeConverter(typeof(KebabCaseEnumConverter<SearchMethod>))]
        public SearchMethod Method { get; init; } = SearchMethod.Hybrid;

        [CommandOption("-k|--top <N>")]
        [Description("Number of results.")]
        [DefaultValue(SearchOptions.DefaultTop)]
        public int Top { get; init; } = SearchOptions.DefaultTop;

        [CommandOption("--fusion <RULE>")]
        [Description("Hybrid fusion: weighted (min-max normalised scores) or rrf (reciprocal ranks).")]
        [DefaultValue(FusionMethod.Weighted)]
        [TypeConverter(typeof(KebabCaseEnumConverter<FusionMethod>))]
        public FusionMethod Fusion { get; init; } = FusionMethod.Weighted;

        [CommandOption("--dense-weight <W>")]
        [Description("Weight of the dense list in weighted fusion, 0..1 (BM25 gets 1 - W).")]
        [DefaultValue(FusionOptions.DefaultDenseWeight)]
        public double DenseWeight { get; init; } = FusionOptions.DefaultDenseWeight;

        [CommandOption("--no-spell")]
        [Description("Do not correct query words that no product contains (e.g. \"dril\" -> \"drill\").")]
        public bool NoSpell { get; init; }

        [CommandOption("--rerank <MODEL>")]
        [Description("Re-rank the top results with a cross-encoder model directory (from 'semmatch train --objective cross' or 'cross-graded'); DIR+DIR averages several (an ensemble).")]
        public string? Rerank { get; init; }

        [CommandOption("--rerank-depth <N>")]
        [Description("How many first-stage results the cross-encoder re-scores.")]
        [DefaultValue(SearchOptions.DefaultRerankDepth)]
        public int RerankDepth { get; init; } = SearchOptions.DefaultRerankDepth;

        [CommandOption("--first-stage-weight <W>")]
        [Description("With --rerank: order the re-scored results by (1 - W) * cross-encoder + W * first-stage score, both min-max normalised (0 = cross-encoder alone).")]
        [DefaultValue(0.0)]
        public double FirstStageWeight { get; init; }

        [CommandOption("--json")]
        [Description("Print results as JSON instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--explain")]
        [Description("Explain the first 10 results (BM25 term contributions, the words that move the dense score, hybrid shares; see 'semmatch explain').")]
        public bool Explain { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Query))
            {
                return ValidationResult.Error("the query is empty");
            }

            return OptionNames.Error<Settings>(ToOptions(reranker: null).Problem(), s_renamed) ?? base.Validate();
        }

        /// <summary>The search these options ask for.</summary>
        public SearchOptions ToOptions(IPairScorer? reranker) => new()
        {
            Reranker = reranker,
            RerankDepth = RerankDepth,
            RerankFirstStageWeight = FirstStageWeight,
            Method = Method,
            Top = Top,
            Fusion = new FusionOptions { Method = Fusion, DenseWeight = DenseWeight },
            SpellCorrection = !NoSpell,
        };
    }

    /// <summary>The search options plus the learned ranker (which explain does not take).</summary>
    internal sealed class RankedSettings : Settings
    {
        [CommandOption("--ranker <DIR>")]
        [Description("Order the top hybrid results with a learned ranker directory (from 'semmatch train-ranker'); results then carry a calibrated probability of relevance. Uses the cross-encoder it was trained with (or --rerank).")]
        public string? Ranker { get; init; }

        [CommandOption("--min-probability <P>")]
        [Description("With --ranker (or a collection with a ranker): drop results whose probability of relevance is below P (0..1), to answer with no good match.")]
        public double? MinProbability { get; init; }

        [CommandOption("-c|--collection <NAME>")]
        [Description("Search a collection of the service instead of an index directory: from its data directory (--data) or PostgreSQL (--store postgres), with the collection's own model, re-ranker and ranker.")]
        public string? Collection { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("With --collection: the service's data directory (not while a server holds it). Default: $XDG_DATA_HOME/semanticmatch or ~/.local/share/semanticmatch.")]
        public string? Data { get; init; }

        [CommandOption("--store <KIND>")]
        [Description("With --collection: embedded (files in --data) or postgres (see --connection).")]
        [DefaultValue("embedded")]
        public string Store { get; init; } = "embedded";

        [CommandOption("--connection <CONNECTION>")]
        [Description("With --store postgres: the Npgsql connection string. Default: $" + StoreSettings.ConnectionVariable + ".")]
        public string? Connection { get; init; }

        public override ValidationResult Validate()
        {
            if (Collection is null && (Data is not null || Store != "embedded" || Connection is not null))
            {
                return ValidationResult.Error("--data, --store and --connection choose where --collection lives; give --collection");
            }

            if (Collection is not null && (Index is not null || Rerank is not null || Ranker is not null || Model is not null || Pooling is not null))
            {
                return ValidationResult.Error("--collection searches with the collection's own model, re-ranker and ranker; leave out --index, --model, --pooling, --rerank and --ranker");
            }

            if (StoreSettings.StoreProblem(Store, Connection) is { } storeProblem)
            {
                return ValidationResult.Error(storeProblem);
            }

            if (Collection is not null && MinProbability is { } min && (min is < 0 or > 1 || double.IsNaN(min)))
            {
                return ValidationResult.Error("--min-probability must be in [[0, 1]]");
            }

            if (Ranker is not null && Method != SearchMethod.Hybrid)
            {
                return ValidationResult.Error("--ranker orders hybrid results (what it was trained on); leave out --method");
            }

            if (Collection is null && MinProbability is { } p && (Ranker is null || p is < 0 or > 1 || double.IsNaN(p)))
            {
                return ValidationResult.Error(Ranker is null ? "--min-probability needs --ranker" : "--min-probability must be in [[0, 1]]");
            }

            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, RankedSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Collection is not null)
        {
            return await CollectionSearch.RunAsync(settings, cancellationToken);
        }

        var (ranker, rankerCrossEncoder) = settings.Ranker is null ? (null, null) : RankerInputs.Open(settings.Ranker, settings.Rerank, settings.BatchSize);
        using var reranker = rankerCrossEncoder ?? (settings.Rerank is null ? null : Inputs.Reranker(settings.Rerank, settings.BatchSize).Scorer);
        using var opened = Open(settings, cancellationToken);
        var index = opened.Index;
        if (ranker is not null)
        {
            RankerInputs.WarnIfOtherEncoder(ranker, opened.Encoder.Identity);
        }

        var results = (await index.SearchAsync(settings.Query, settings.ToOptions(reranker) with { Ranker = ranker }, cancellationToken))
            .Where(r => settings.MinProbability is not { } min || r.Probability >= min)
            .ToList();
        var explained = results.Take(settings.Explain ? ExplainedResults : 0).Select(r => r.Product.Id).ToList();
        var explanations = explained.Count == 0
            ? []
            : explained.Zip(await index.ExplainAsync(settings.Query, explained, settings.ToOptions(reranker), cancellationToken))
                .ToDictionary(x => x.First, x => x.Second);
        if (settings.Json)
        {
            var searched = index.PrepareQuery(settings.Query, !settings.NoSpell);
            JsonOutput.Print(new
            {
                query = settings.Query,
                searched,
                corrected = !settings.NoSpell && searched != index.NormalizeQuery(settings.Query),
                method = KebabCase.Of(settings.Method.ToString()),
                results = results.Select(r => new
                {
                    rank = r.Rank, product_id = r.Product.Id, title = r.Product.Title, score = r.Score, probability = r.Probability,
                    explanation = explanations.GetValueOrDefault(r.Product.Id),
                }),
            });
        }
        else
        {
            ResultTable.NoteCorrection(index, settings.Query, !settings.NoSpell);
            Consoles.Out.Write(ResultTable.Of(settings.Query, settings.Method, results));
            foreach (var result in results.Where(r => explanations.ContainsKey(r.Product.Id)))
            {
                Consoles.Out.MarkupLineInterpolated($"#{result.Rank}: {ResultTable.Explanation(explanations[result.Product.Id])}");
            }
        }

        return 0;
    }

    /// <summary>Opens --index (or the demo catalogue) with its model and pooling unless --model/--pooling say otherwise.</summary>
    internal static OpenedIndex Open(Settings settings, CancellationToken cancellationToken)
    {
        var manifest = settings.Index is null ? null : CatalogueIndex.ReadManifest(settings.Index);
        var modelSource = settings.Model ?? manifest?.ModelSource ?? BundledModels.DefaultKey;
        var pooling = manifest?.Pooling is { } name ? Enum.Parse<Pooling>(name, ignoreCase: true) : (Pooling?)null;
        var encoder = Inputs.Encoder(settings, modelSource, pooling);
        try
        {
            return new OpenedIndex(encoder, settings.Index is null
                ? DemoCatalogue.Open(encoder, modelSource, cancellationToken)
                : CatalogueIndex.Open(settings.Index, encoder));
        }
        catch (IndexModelMismatchException mismatch)
        {
            encoder.Dispose();
            var poolingOption = mismatch.Pooling is null ? string.Empty : $" --pooling {mismatch.Pooling}";
            throw new UserError($"{mismatch.Message[..mismatch.Message.LastIndexOf(';')]}; search with --model {mismatch.ModelSource}{poolingOption} or rebuild the index");
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}

/// <summary>An index and the encoder it searches with, disposed together.</summary>
internal sealed record OpenedIndex(OnnxEncoder Encoder, CatalogueIndex Index) : IDisposable
{
    public void Dispose()
    {
        Index.Dispose();
        Encoder.Dispose();
    }
}
