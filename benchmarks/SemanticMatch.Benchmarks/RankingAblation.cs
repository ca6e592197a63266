using SemanticMatch.Engine.Indexing;
using System.Globalization;
using System.Text.Json;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Engine;
using SemanticMatch.Search;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Ranking;
using SemanticMatch.Ranking.Training;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// <c>ranking BI CE TRAIN DEV CACHE [TREES LEAVES [quick] | depth=D [OUT] | cv [FOLDS]]</c>: describes Home Depot TRAIN and DEV queries once (hybrid first stage of
/// BI, top 50, cross-encoder CE; cached as JSON in CACHE), then trains the learned ranker with every feature group and
/// with each group left out, and prints one table of dev metrics next to the first stage and the cross-encoder alone.
/// With <c>cv</c>, the same comparisons (and tree settings) cross-validated over FOLDS (5) folds of TRAIN instead:
/// <see cref="RankingCrossValidation"/>.
/// </summary>
internal static class RankingAblation
{
    private const int Depth = 50;
    private const double Threshold = 2.5;

    public static async Task RunAsync(string[] args)
    {
        if (args.Length > 5 && args[5].StartsWith("depth=", StringComparison.Ordinal))
        {
            await AtDepthAsync(args, int.Parse(args[5]["depth=".Length..], CultureInfo.InvariantCulture));
            return;
        }

        if (args.Length > 5 && args[5] == "cv")
        {
            var (cvTrain, _) = await DescribedAsync(args[0], args[1], args[2], args[3], args[4]);
            RankingCrossValidation.Run(cvTrain, Depth, new ModelReference(args[0], args[0]), new ModelReference(args[1], args[1]), Threshold,
                args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 5);
            return;
        }

        var (bi, ce, train, dev, cache) = (args[0], args[1], args[2], args[3], args[4]);
        var trees = args.Length > 6
            ? new TreeSettings(int.Parse(args[5], CultureInfo.InvariantCulture), int.Parse(args[6], CultureInfo.InvariantCulture))
            : new TreeSettings();
        var (trainQueries, devQueries) = await DescribedAsync(bi, ce, train, dev, cache);
        var biRef = new ModelReference(bi, bi);
        var ceRef = new ModelReference(ce, ce);
        var minimum = trainQueries.SelectMany(q => q.Judged).Min(j => j.Relevance);
        Console.WriteLine($"{Engine.Evaluation.MachineInfo.Describe()}; train {trainQueries.Count} queries, dev {devQueries.Count}; trees {trees}");
        Console.WriteLine("| pipeline | NDCG@10 | MRR@10 | Recall@10 | ROC-AUC | RMSE | ECE (held-out) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Print("first stage: hybrid", RankerEvaluation.Measure(devQueries, null, Threshold, minimum), null);
        Print("cross-encoder alone (re-ranks the top 50)", CrossAlone(devQueries, minimum), null);
        var variants = new List<(string Name, HashSet<FeatureGroup> Without, bool Unjudged)>
        {
            ("learned ranker, all features", [], false),
            ("learned ranker, all features, unjudged candidates as irrelevant", [], true),
        };
        var quick = args.Length > 7 && args[7] == "quick"; // the two full rankers only (for comparing tree settings)
        variants.AddRange(quick ? [] : Enum.GetValues<FeatureGroup>().Select(g => ($"  without {g}", new HashSet<FeatureGroup> { g }, false)));
        variants.AddRange(quick ? [] : [("  cross-encoder features only", Enum.GetValues<FeatureGroup>().Where(g => g != FeatureGroup.Cross).ToHashSet(), false)]);
        foreach (var (name, without, unjudged) in variants)
        {
            var trained = RankerTrainer.Train(trainQueries, devQueries, Depth, biRef, ceRef,
                new RankerTrainingOptions { Trees = trees, Excluded = without, RelevantThreshold = Threshold, UnjudgedAsIrrelevant = unjudged });
            Print(name, trained.Manifest.Training!.Dev, trained.Manifest.Training.CalibrationErrorHeldOut);
            if (without.Count == 0 && !unjudged)
            {
                Console.WriteLine("importance: " + string.Join(", ", trained.Manifest.Importance.Select(f => $"{f.Feature} {f.Share:0.000}")));
            }
        }
    }

    // The ranker at a shallower depth, from the cached depth-50 description (the top D candidates are a prefix of the
    // top 50); written to OUT (args[6]) for the latency benchmark.
    private static async Task AtDepthAsync(string[] args, int depth)
    {
        var (train, dev) = await DescribedAsync(args[0], args[1], args[2], args[3], args[4]);
        var minimum = train.SelectMany(q => q.Judged).Min(j => j.Relevance);
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(args[0]));
        using var cross = OnnxCrossEncoder.Create(BundledModels.Resolve(args[1]));
        var trained = RankerTrainer.Train(Truncate(train, depth), Truncate(dev, depth), depth,
            new ModelReference(BundledModels.Location(args[0]), encoder.Identity), new ModelReference(BundledModels.Location(args[1]), cross.Identity),
            new RankerTrainingOptions { RelevantThreshold = Threshold });
        Print($"learned ranker over the top {depth}", trained.Manifest.Training!.Dev, trained.Manifest.Training.CalibrationErrorHeldOut);
        Print($"first stage, top {depth} described", RankerEvaluation.Measure(Truncate(dev, depth), null, Threshold, minimum), null);
        if (args.Length > 6)
        {
            RankerWriter.Write(args[6], trained);
        }
    }

    private static List<JudgedQuerySignals> Truncate(IReadOnlyList<JudgedQuerySignals> queries, int depth) =>
        queries.Select(q =>
        {
            CandidateSignals Cut(CandidateSignals c) => c with { FirstStageRank = Math.Min(c.FirstStageRank, depth + 1) };
            return q with
            {
                Signals = q.Signals with { Candidates = q.Signals.Candidates.Where(c => c.FirstStageRank <= depth).Select(Cut).ToList() },
                Judged = q.Judged.Select(j => j with { Signals = Cut(j.Signals) }).ToList(),
            };
        }).ToList();

    private static void Print(string name, RankerMetrics m, double? ece) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {m.Ndcg10:0.0000} | {m.Mrr10:0.0000} | {m.Recall10:0.0000} | {F(m.RocAuc)} | {F(m.Rmse)} | {F(ece)} |"));

    private static string F(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    // The graded cross-encoder's score is its predicted relevance: NDCG/MRR by it, RMSE of it, AUC of it.
    private static RankerMetrics CrossAlone(IReadOnlyList<JudgedQuerySignals> queries, double minimum)
    {
        var ndcg = new List<double>();
        var mrr = new List<double>();
        var recall = new List<double>();
        var scores = new List<double>();
        var labels = new List<bool>();
        var errors = new List<double>();
        foreach (var q in queries)
        {
            var candidates = q.Judged.Select(j => new ScoredCandidate(j.Signals.Id, j.Signals.Cross ?? 0, j.Relevance)).ToList();
            if (RankingMetrics.NdcgAtK(candidates, 10, minimum) is { } v)
            {
                ndcg.Add(v);
            }

            scores.AddRange(candidates.Select(c => c.Score));
            labels.AddRange(candidates.Select(c => c.Relevance >= Threshold));
            errors.AddRange(candidates.Select(c => Math.Pow(c.Score - c.Relevance, 2)));
            var reranked = Reranking.Rerank(q.Signals.Searched, q.FirstStage, Depth, new StoredScorer(q.Signals.Candidates), id => id);
            var relevant = q.Judged.Where(j => j.Relevance >= Threshold).Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
            if (relevant.Count > 0)
            {
                var ids = reranked.Select(h => h.ProductId).ToList();
                mrr.Add(RankingMetrics.ReciprocalRankAtK(ids, relevant, 10));
                recall.Add(RankingMetrics.RecallAtK(ids, relevant, 10));
            }
        }

        return new RankerMetrics(ndcg.Average(), mrr.Average(), recall.Average(), ClassificationMetrics.RocAuc(scores, labels), Math.Sqrt(errors.Average()));
    }

    private static async Task<(IReadOnlyList<JudgedQuerySignals> Train, IReadOnlyList<JudgedQuerySignals> Dev)> DescribedAsync(string bi, string ce,
        string train, string dev, string cache)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        if (File.Exists(cache))
        {
            var cached = JsonSerializer.Deserialize<List<List<JudgedQuerySignals>>>(File.ReadAllText(cache), options)!;
            return (cached[0], cached[1]);
        }

        var products = Data.Products();
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(bi));
        using var cross = OnnxCrossEncoder.Create(BundledModels.Resolve(ce));
        using var catalogue = RankingCatalogue.Build(products, new CatalogueIndexOptions(), encoder);
        var described = new List<List<JudgedQuerySignals>>();
        foreach (var file in new[] { train, dev })
        {
            var judgments = JudgmentReader.Read(file).Items.Where(j => ids.Contains(j.ProductId)).ToList();
            described.Add([.. await catalogue.DescribeAsync(judgments, Depth, cross, new FusionOptions())]);
            Console.WriteLine($"described {file}");
        }

        File.WriteAllText(cache, JsonSerializer.Serialize(described, options));
        return (described[0], described[1]);
    }

    private sealed class StoredScorer(IReadOnlyList<CandidateSignals> candidates) : Core.IPairScorer
    {
        private readonly Dictionary<string, float> _byId = candidates.ToDictionary(c => c.Id, c => c.Cross ?? 0, StringComparer.Ordinal);

        public string Identity => "stored";

        public bool ScoresRelevance => true;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            texts.Select(t => _byId[t]).ToArray();
    }
}
