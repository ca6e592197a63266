using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Embedded;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.CommandLine;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using SemanticMatch.Search;
using Spectre.Console;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch search QUERY --collection NAME</c>: one search of a service's collection, from its store, as the service runs it.</summary>
internal static class CollectionSearch
{
    public static async Task<int> RunAsync(SearchCommand.RankedSettings settings, CancellationToken cancellationToken)
    {
        using var models = new ModelProvider();
        await using var store = await OpenAsync(settings, models, cancellationToken);
        var query = new CollectionQuery
        {
            Query = settings.Query,
            Top = settings.Top,
            Method = settings.Method,
            Fusion = new FusionOptions { Method = settings.Fusion, DenseWeight = settings.DenseWeight },
            SpellCorrection = !settings.NoSpell,
            Explain = settings.Explain,
            MinProbability = settings.MinProbability,
        };
        var result = await store.SearchAsync(settings.Collection!, query, cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Print(new
            {
                query = settings.Query,
                searched = result.Searched,
                corrected = result.Corrected,
                method = KebabCase.Of(settings.Method.ToString()),
                total = result.Total,
                results = result.Hits.Select(h => new
                {
                    rank = h.Rank, id = h.Record.Id, record = h.Record.Fields, score = h.Score, probability = h.Probability, explanation = h.Explanation,
                }),
            });
            return 0;
        }

        if (result.Corrected)
        {
            Consoles.Out.MarkupLineInterpolated($"[grey]searched for[/] [bold]{result.Searched}[/] [grey](spelling corrected)[/]");
        }

        var ranked = result.Hits.Select(h => new RankedProduct(h.Rank, h.Record.ToProduct(), h.Score, h.Probability)).ToList();
        Consoles.Out.Write(ResultTable.Of(settings.Query, settings.Method, ranked));
        Consoles.Out.MarkupLineInterpolated($"[grey]{result.Hits.Count} of {result.Total} matches in collection '{settings.Collection}'[/]");
        foreach (var hit in result.Hits.Where(h => h.Explanation is not null))
        {
            Consoles.Out.MarkupLineInterpolated($"#{hit.Rank}: {ResultTable.Explanation(hit.Explanation!)}");
        }

        return 0;
    }

    // The store the service would serve the collection from (the embedded one's data directory is locked while open).
    private static async Task<ICollectionStore> OpenAsync(SearchCommand.RankedSettings settings, ModelProvider models, CancellationToken cancellationToken)
    {
        var rankers = new RankerProvider().Open;
        if (settings.Store == "postgres")
        {
            return await PostgresCollectionStore.OpenAsync(models, new PostgresStoreOptions
            {
                ConnectionString = StoreSettings.ConnectionOrVariable(settings.Connection),
                Rankers = rankers,
                ResumesBuilds = false,
            }, cancellationToken);
        }

        var data = new DataSettings { Data = settings.Data }.DataDirectory;
        if (!EmbeddedCollectionStore.Holds(data, settings.Collection!))
        {
            throw new UserError($"--collection: no collection '{settings.Collection}' in {data} (give the service's data directory with --data)");
        }

        return EmbeddedCollectionStore.Open(data, models, new CollectionOptions { Rankers = rankers });
    }
}
