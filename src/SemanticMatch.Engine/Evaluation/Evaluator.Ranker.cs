using SemanticMatch.Engine.Indexing;
using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>
    /// Evaluates the full pipeline with a learned ranker: the hybrid first stage of the ranker's bi-encoder, its top
    /// <see cref="IResultRanker.Depth"/> ordered by the ranker. NDCG@10 orders each query's judged products by the
    /// ranker's score; ROC-AUC, accuracy and F1 use its probability; RMSE its predicted relevance; the calibration error
    /// its probability. Latency covers the first stage and describing and scoring the candidates (and the judged
    /// products, which a search does not score).
    /// </summary>
    /// <param name="label">The row's name.</param>
    /// <param name="products">The whole catalogue.</param>
    /// <param name="judgments">Labelled pairs.</param>
    /// <param name="ranker">The ranker.</param>
    /// <param name="encoder">The bi-encoder it was trained with.</param>
    /// <param name="crossEncoder">The cross-encoder it was trained with, or null.</param>
    /// <param name="cancellationToken">Stops between queries.</param>
    public async Task<MethodResult> RunRankerAsync(string label, IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments, IResultRanker ranker,
        ITextEncoder encoder, IPairScorer? crossEncoder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranker);
        ArgumentNullException.ThrowIfNull(judgments);
        using var catalogue = RankingCatalogue.Build(products, options.Corpus, encoder, _progress, cancellationToken);
        var queries = await catalogue.DescribeAsync(judgments, ranker.Depth, ranker.CrossEncoder is not null ? crossEncoder : null, options.Fusion,
            options.SpellCorrection, _progress, cancellationToken).ConfigureAwait(false);
        var scaleMinimum = options.ScaleMinimum ?? judgments.Min(j => j.Relevance);
        return MeasureRanker($"hybrid+ranker[{label}]@{ranker.Depth}", queries, ranker, scaleMinimum, options.RelevantThreshold,
            catalogue.ProductsPerSecond);
    }

    /// <summary>
    /// The metrics of a ranker over described judged queries, as <see cref="RunRankerAsync"/> reports them (also the dev report
    /// of ranker training): NDCG@10 of the judged products by the ranker's score, MRR and Recall of the first stage with
    /// its top <see cref="IResultRanker.Depth"/> re-ordered, ROC-AUC/accuracy/F1 and calibration of the probability, RMSE
    /// of the predicted relevance. Latency = describing the query plus scoring.
    /// </summary>
    public static MethodResult MeasureRanker(string method, IReadOnlyList<JudgedQuerySignals> queries, IResultRanker ranker,
        double scaleMinimum, double relevantThreshold, double productsPerSecond = 0)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(ranker);
        var accumulator = new MethodAccumulator(method, productsPerSecond);
        var stopwatch = new Stopwatch();
        foreach (var query in queries)
        {
            stopwatch.Restart();
            var judged = ranker.Score(query.Signals, query.Judged.Select(j => j.Signals).ToList());
            var ranking = RankingStage.Order(query.FirstStage, ranker.Depth, ranker.Score(query.Signals, query.Signals.Candidates));
            var relevant = query.Judged.Where(j => j.Relevance >= relevantThreshold).Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
            accumulator.AddRetrieval(ranking.Take(RetrievalDepth).ToList(), relevant, query.LatencyMs + stopwatch.Elapsed.TotalMilliseconds);
            accumulator.AddCandidates(query.Judged.Select((j, i) => new ScoredCandidate(j.Signals.Id, judged[i].Score, j.Relevance)).ToList(),
                scaleMinimum, relevantThreshold, judged.Select(s => (double)s.Probability).ToList());
            accumulator.AddRelevancePredictions(judged.Select((s, i) => ((double)s.Relevance, query.Judged[i].Relevance)));
            accumulator.AddProbabilities(judged.Select((s, i) => (s.Probability, query.Judged[i].Relevance >= relevantThreshold)));
        }

        return accumulator.Result();
    }

    /// <summary>
    /// The first stage alone over described judged queries: NDCG@10 of the judged products by first-stage position (then
    /// cosine, for those past the described candidates), MRR and Recall of the first-stage ranking.
    /// </summary>
    public static MethodResult MeasureFirstStage(string method, IReadOnlyList<JudgedQuerySignals> queries, double scaleMinimum,
        double relevantThreshold)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var accumulator = new MethodAccumulator(method, 0);
        foreach (var query in queries)
        {
            var relevant = query.Judged.Where(j => j.Relevance >= relevantThreshold).Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
            accumulator.AddRetrieval(query.FirstStage.Take(RetrievalDepth).ToList(), relevant, query.LatencyMs);
            accumulator.AddCandidates(query.Judged.Select(j => new ScoredCandidate(j.Signals.Id, -j.Signals.FirstStageRank + (j.Signals.Dense * 1e-3),
                j.Relevance)).ToList(), scaleMinimum, relevantThreshold);
        }

        return accumulator.Result();
    }
}
