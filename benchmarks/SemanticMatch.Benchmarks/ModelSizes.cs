using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// Quality against speed for models of different sizes (layer pruning), side by side in one run: for each model,
/// NDCG@10 ordering each Home Depot dev query's judged products and the throughput of doing so — (query, title)
/// pairs/s for a cross-encoder, titles/s for a bi-encoder — measured twice in alternating rounds, the faster kept.
/// </summary>
internal static class ModelSizes
{
    private const int Rounds = 2;

    public static void Run(IReadOnlyList<string> models)
    {
        var products = Data.Products().ToDictionary(p => p.Id, ProductText.Default.Of, StringComparer.Ordinal);
        var queries = JudgmentReader.Read(Path.Combine(Data.HomeDepot(), "dev.csv")).Items
            .GroupBy(j => j.Query, StringComparer.Ordinal)
            .Select(g => (Query: g.Key, Judged: g.ToList()))
            .ToList();
        var scorers = models.Select(Open).ToList();

        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"{queries.Count} dev queries, {queries.Sum(q => q.Judged.Count)} judged pairs; NDCG@10 over each query's judged products (relevance 1-3)");
        var rates = new double[scorers.Count];
        var ndcg = new double[scorers.Count];
        for (var round = 0; round < Rounds; round++)
        {
            for (var m = 0; m < scorers.Count; m++)
            {
                var (rate, quality) = Measure(scorers[m], queries, products);
                rates[m] = Math.Max(rates[m], rate);
                ndcg[m] = quality;
            }
        }

        Console.WriteLine();
        Console.WriteLine("| model | kind | layers | MB | NDCG@10 (judged) | items/s | speed vs first |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (var m = 0; m < scorers.Count; m++)
        {
            var s = scorers[m];
            Console.WriteLine($"| {s.Name} | {s.Model.Config.Kind} | {Layers(s.Model)} | {new FileInfo(s.Model.ModelPath).Length / 1e6:F0} | {ndcg[m]:F4} | {rates[m]:F0} | {rates[m] / rates[0]:F2}x |");
        }

        foreach (var s in scorers)
        {
            s.Dispose();
        }
    }

    private static Scorer Open(string argument)
    {
        var parts = argument.Split('=', 2);
        var model = ModelDirectory.Open(parts[^1]);
        var name = parts.Length == 2 ? parts[0] : model.Config.Name;
        return model.Config.Kind == ModelKind.CrossEncoder
            ? new Scorer(name, model, OnnxCrossEncoder.Create(model), null)
            : new Scorer(name, model, null, OnnxEncoder.Create(model));
    }

    // Items scored per second (pairs for a cross-encoder, titles for a bi-encoder, queries not counted) and NDCG@10.
    private static (double Rate, double Ndcg) Measure(Scorer scorer, List<(string Query, List<Judgment> Judged)> queries, Dictionary<string, string> products)
    {
        var items = 0;
        var stopwatch = Stopwatch.StartNew();
        var scored = new List<IEnumerable<(string Id, double Score, double Relevance)>>();
        foreach (var (query, judged) in queries)
        {
            var titles = judged.Select(j => products[j.ProductId]).ToList();
            var scores = Score(scorer, query, titles);
            items += titles.Count;
            scored.Add(judged.Select((j, i) => (j.ProductId, (double)scores[i], j.Relevance)));
        }

        var rate = items / stopwatch.Elapsed.TotalSeconds;
        return (rate, ScoreAgreement.Ndcg(scored));
    }

    private static float[] Score(Scorer scorer, string query, List<string> titles)
    {
        if (scorer.Cross is { } cross)
        {
            return cross.Score(query, titles);
        }

        var encoder = scorer.Encoder!;
        var q = encoder.Encode([query], TextRole.Query)[0];
        return [.. encoder.Encode(titles, TextRole.Document).Select(t => System.Numerics.Tensors.TensorPrimitives.Dot(q, t))];
    }

    // int8 graphs keep the layers' bias names, which the count reads.
    private static int Layers(ModelDirectory model) => OnnxBertWeights.ReadLayerCount(OnnxBertWeights.ReadGraph(model).Graph);

    private sealed record Scorer(string Name, ModelDirectory Model, OnnxCrossEncoder? Cross, OnnxEncoder? Encoder) : IDisposable
    {
        public void Dispose()
        {
            Cross?.Dispose();
            Encoder?.Dispose();
        }
    }
}
