using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Engine.Search;

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
    public MethodResult RunRanker(string label, IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments, IResultRanker ranker,
        ITextEncoder encoder, IPairScorer? crossEncoder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranker);
        ArgumentNullException.ThrowIfNull(judgments);
        using var catalogue = RankingCatalogue.Build(products, options.Text, encoder, _progress, cancellationToken);
        var queries = catalogue.Describe(judgments, ranker.Depth, ranker.CrossEncoder is not null ? crossEncoder : null, options.Fusion,
            options.SpellCorrection, _progress, cancellationToken);
        var scaleMinimum = options.ScaleMinimum ?? judgments.Min(j => j.Relevance);
        var method = new MethodAccumulator($"hybrid+ranker[{label}]@{ranker.Depth}", catalogue.ProductsPerSecond);
        var stopwatch = new Stopwatch();
        foreach (var query in queries)
        {
            stopwatch.Restart();
            var judged = ranker.Score(query.Signals, query.Judged.Select(j => j.Signals).ToList());
            var ranking = RankingStage.Order(query.FirstStage, ranker.Depth, ranker.Score(query.Signals, query.Signals.Candidates));
            var relevant = query.Judged.Where(j => j.Relevance >= options.RelevantThreshold).Select(j => j.Signals.Id).ToHashSet(StringComparer.Ordinal);
            method.AddRetrieval(ranking.Take(RetrievalDepth).ToList(), relevant, query.LatencyMs + stopwatch.Elapsed.TotalMilliseconds);
            method.AddCandidates(query.Judged.Select((j, i) => new ScoredCandidate(j.Signals.Id, judged[i].Score, j.Relevance)).ToList(),
                scaleMinimum, options.RelevantThreshold, judged.Select(s => (double)s.Probability).ToList());
            method.AddRelevancePredictions(judged.Select((s, i) => ((double)s.Relevance, query.Judged[i].Relevance)));
            method.AddProbabilities(judged.Select((s, i) => (s.Probability, query.Judged[i].Relevance >= options.RelevantThreshold)));
        }

        return method.Result();
    }
}
