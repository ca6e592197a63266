using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>
/// Evaluates BM25, dense and hybrid search, each first stage optionally followed by a cross-encoder re-ranking its top
/// results, on labelled (query, product, relevance) pairs: re-ranking NDCG@10 over each query's judged products,
/// full-catalogue Recall@10/100 and MRR@10, pair ROC-AUC / accuracy / F1, RMSE of a graded re-ranker, indexing
/// throughput and query latency. Definitions: docs/metrics.md.
/// </summary>
public sealed partial class Evaluator(EvalOptions options, IProgressSink? progress = null)
{
    private const int RetrievalDepth = 100;
    private readonly IProgressSink _progress = progress ?? NullProgressSink.Instance;

    /// <summary>Runs the evaluation.</summary>
    /// <param name="products">The whole catalogue (retrieval searches all of it).</param>
    /// <param name="judgments">Labelled pairs; every product id must be in <paramref name="products"/>.</param>
    /// <param name="models">Dense models to evaluate (alone and in hybrid); may be empty for BM25 only.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public async Task<IReadOnlyList<MethodResult>> RunAsync(IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments,
        IReadOnlyList<EvalModel> models, CancellationToken cancellationToken = default)
    {
        if (judgments.Count == 0)
        {
            throw new InvalidRequestException("no judgments to evaluate");
        }

        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"evaluation options: {problem}");
        }

        var queries = GroupByQuery(judgments);
        CheckSearchable(queries);
        var scaleMinimum = options.ScaleMinimum ?? judgments.Min(j => j.Relevance);
        using var keyword = RunKeyword(products, queries, scaleMinimum, cancellationToken);
        var reranking = options.Reranker is null ? null : new RerankRun(options.Reranker, products, keyword.Texts);
        var results = new List<MethodResult>();
        if (options.IncludeBm25)
        {
            results.Add(keyword.Method.Result());
            if (reranking is not null)
            {
                results.Add(RunRerank("bm25", queries, keyword, keyword.PerQuery.Select(k => k.Stage).ToList(),
                    keyword.Method.ProductsPerSecond, reranking, scaleMinimum, cancellationToken));
            }
        }

        foreach (var model in models)
        {
            var (dense, hybrid, hybridStages) = await RunDenseAsync(products, queries, model, keyword, scaleMinimum, cancellationToken).ConfigureAwait(false);
            if (options.IncludeDense)
            {
                results.Add(dense.Result());
            }

            if (options.IncludeHybrid)
            {
                results.Add(hybrid.Result());
                if (reranking is not null)
                {
                    results.Add(RunRerank($"hybrid[{model.Label}]", queries, keyword, hybridStages, hybrid.ProductsPerSecond,
                        reranking, scaleMinimum, cancellationToken));
                }
            }
        }

        return results;
    }

    // Re-scores the top of a first stage per query: the full-catalogue ranking (Recall, MRR, latency including the
    // first stage) and the judged candidates as ranked by that stage (NDCG, pair metrics, RMSE for graded scores).
    private MethodResult RunRerank(string firstStage, List<JudgedQuery> queries, KeywordRun keyword, List<FirstStage> stages,
        double productsPerSecond, RerankRun reranking, double scaleMinimum, CancellationToken cancellationToken)
    {
        var depth = options.RerankDepth;
        var method = new MethodAccumulator($"{firstStage}+rerank[{reranking.Reranker.Label}]@{depth}", productsPerSecond);
        var step = _progress.Begin($"re-ranking the top {depth} of {firstStage} over {queries.Count} queries", queries.Count);
        var stopwatch = new Stopwatch();
        for (var q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = queries[q];
            var prepared = keyword.PerQuery[q].PreparedQuery;
            stopwatch.Restart();
            var reranked = Reranking.Rerank(prepared, stages[q].Hits, depth, reranking.Reranker.Scorer, reranking.TextOf,
                options.RerankFirstStageWeight, cancellationToken);
            var latency = stages[q].LatencyMs + stopwatch.Elapsed.TotalMilliseconds;
            method.AddRetrieval(reranked.Take(RetrievalDepth).ToList(), query.Relevant(options.RelevantThreshold), latency);

            var judged = reranking.JudgedScorer(q, prepared, query.Judged.Keys, cancellationToken);
            var candidateOrder = Reranking.Rerank(prepared, Ranked(stages[q].CandidateScores), depth, judged, reranking.TextOf,
                options.RerankFirstStageWeight, cancellationToken);
            var rescored = candidateOrder.Take(depth).Select(h => h.Score).DefaultIfEmpty(0f).Min();
            var scores = candidateOrder.Select((h, rank) => (h.ProductId, Score: rank < depth ? h.Score : rescored - 1 - rank))
                .ToDictionary(x => x.ProductId, x => x.Score, StringComparer.Ordinal);
            method.AddCandidates(Candidates(scores, query.Judged), scaleMinimum, options.RelevantThreshold);
            if (reranking.Reranker.Scorer.ScoresRelevance)
            {
                method.AddRelevancePredictions(query.Judged.Select(kv => ((double)judged.ScoreOf(reranking.TextOf(kv.Key)), kv.Value)));
            }

            step.Report(q + 1);
        }

        return method.Result();
    }

    private KeywordRun RunKeyword(IReadOnlyList<Product> products, List<JudgedQuery> queries, double scaleMinimum,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var index = CatalogueIndex.BuildKeyword(products, options.Corpus);
        var texts = products.Select(options.Corpus.Text.Of).ToList();
        var run = new KeywordRun(new MethodAccumulator("bm25", products.Count / stopwatch.Elapsed.TotalSeconds), texts, index);
        var depth = Math.Max(RetrievalDepth, options.FusionDepth);
        var step = _progress.Begin($"BM25 over {queries.Count} queries", queries.Count);
        foreach (var query in queries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stopwatch.Restart();
            var normalized = QueryPreparation.Normalize(query.Text, options.Corpus.Text);
            normalized = options.SpellCorrection ? index.CorrectSpelling(normalized) : normalized;
            var hits = index.Search(normalized, depth);
            var latency = stopwatch.Elapsed.TotalMilliseconds;
            var scores = index.ScoreCandidates(normalized, query.Judged.Keys.ToList());
            run.Method.AddRetrieval(hits, query.Relevant(options.RelevantThreshold), latency);
            run.Method.AddCandidates(Candidates(scores, query.Judged), scaleMinimum, options.RelevantThreshold);
            run.PerQuery.Add(new KeywordResult(normalized, new FirstStage(hits, scores, latency)));
            step.Report(run.PerQuery.Count);
        }

        return run;
    }

    private async Task<(MethodAccumulator Dense, MethodAccumulator Hybrid, List<FirstStage> HybridStages)> RunDenseAsync(IReadOnlyList<Product> products,
        List<JudgedQuery> queries, EvalModel model, KeywordRun keyword, double scaleMinimum, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var embed = _progress.Begin($"embedding {products.Count} products [{model.Label}]", products.Count);
        var embeddings = CatalogueIndex.Embed(products, model.Encoder, options.Corpus.Text, embed, cancellationToken);
        var embedRate = products.Count / stopwatch.Elapsed.TotalSeconds;
        using var vectors = CatalogueIndex.BuildVectors(products, embeddings, model.Encoder.Dimension, options.Corpus);
        var vectorsById = products.Select((p, i) => (p.Id, Vector: embeddings[i])).ToDictionary(x => x.Id, x => x.Vector, StringComparer.Ordinal);
        var retrieval = new IndexRetrieval(keyword.Index, vectors);
        var dense = new MethodAccumulator($"dense[{model.Label}]", embedRate);
        var hybrid = new MethodAccumulator($"hybrid[{model.Label}]", Math.Min(embedRate, keyword.Method.ProductsPerSecond));
        var hybridStages = new List<FirstStage>(queries.Count);
        var step = _progress.Begin($"dense and hybrid over {queries.Count} queries [{model.Label}]", queries.Count);
        for (var q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = queries[q];
            var relevant = query.Relevant(options.RelevantThreshold);
            var keywordResult = keyword.PerQuery[q];
            stopwatch.Restart();
            var queryVector = model.Encoder.EncodeOne(keywordResult.PreparedQuery, TextRole.Query);
            var embedMs = stopwatch.Elapsed.TotalMilliseconds;

            // Retrieval runs through the engine's search pipeline, as `semmatch search` and the service do.
            var depth = Math.Max(RetrievalDepth, options.FusionDepth);
            var denseOptions = new SearchOptions { Method = SearchMethod.Dense, Top = depth, FusionDepth = options.FusionDepth, Fusion = options.Fusion };
            stopwatch.Restart();
            var denseHits = (await SearchPipeline.RunAsync(keywordResult.PreparedQuery, denseOptions, products.Count, retrieval, model.Encoder,
                NoTexts, queryVector: queryVector, cancellationToken: cancellationToken).ConfigureAwait(false)).Hits;
            var denseMs = embedMs + stopwatch.Elapsed.TotalMilliseconds;
            var denseScores = query.Judged.Keys.ToDictionary(id => id, id => VectorSimilarity.Score(options.Corpus.Metric, queryVector, vectorsById[id]));
            dense.AddRetrieval(denseHits.Take(RetrievalDepth).ToList(), relevant, denseMs);
            dense.AddCandidates(Candidates(denseScores, query.Judged), scaleMinimum, options.RelevantThreshold);

            stopwatch.Restart();
            var fusedHits = (await SearchPipeline.RunAsync(keywordResult.PreparedQuery,
                denseOptions with { Method = SearchMethod.Hybrid, Top = Math.Max(RetrievalDepth, options.RerankDepth) },
                products.Count, retrieval, model.Encoder, NoTexts, queryVector: queryVector, cancellationToken: cancellationToken).ConfigureAwait(false)).Hits;
            var hybridMs = embedMs + stopwatch.Elapsed.TotalMilliseconds;
            hybrid.AddRetrieval(fusedHits.Take(RetrievalDepth).ToList(), relevant, hybridMs);
            var fusedCandidates = HybridFusion.Fuse(Ranked(keywordResult.Stage.CandidateScores), Ranked(denseScores), options.Fusion)
                .ToDictionary(h => h.ProductId, h => h.Score);
            hybrid.AddCandidates(Candidates(fusedCandidates, query.Judged), scaleMinimum, options.RelevantThreshold);
            hybridStages.Add(new FirstStage(fusedHits, fusedCandidates, hybridMs));
            step.Report(q + 1);
        }

        return (dense, hybrid, hybridStages);
    }

    // Every judged query must be one a search accepts, so that each method answers every query as serving would.
    private void CheckSearchable(List<JudgedQuery> queries)
    {
        var refused = new List<string>();
        foreach (var query in queries)
        {
            try
            {
                QueryPreparation.Normalize(query.Text, options.Corpus.Text);
            }
            catch (InvalidRequestException)
            {
                refused.Add($"'{query.Text}'");
            }
        }

        if (refused.Count > 0)
        {
            throw new InvalidRequestException(
                $"{refused.Count} judged quer{(refused.Count == 1 ? "y has" : "ies have")} no letters or digits after normalisation, so a search refuses them: "
                + string.Join(", ", refused.Take(5)) + (refused.Count > 5 ? ", ..." : string.Empty) + "; remove them from the judgments");
        }
    }

    // No re-ranker reads texts in these first stages.
    private static ValueTask<IReadOnlyList<string>> NoTexts(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(ids.Select(_ => string.Empty).ToList());

    private static List<SearchHit> Ranked(IReadOnlyDictionary<string, float> scores) =>
        scores.Select(kv => new SearchHit(kv.Key, kv.Value))
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.ProductId, StringComparer.Ordinal)
            .ToList();

    private static List<ScoredCandidate> Candidates(IReadOnlyDictionary<string, float> scores, IReadOnlyDictionary<string, double> judged) =>
        judged.Select(kv => new ScoredCandidate(kv.Key, scores.GetValueOrDefault(kv.Key), kv.Value)).ToList();

    // Duplicate (query, product) rows are averaged; query order follows the file.
    private static List<JudgedQuery> GroupByQuery(IReadOnlyList<Judgment> judgments) =>
        judgments.GroupBy(j => j.Query, StringComparer.Ordinal)
            .Select(g => new JudgedQuery(g.Key, g.GroupBy(j => j.ProductId, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => p.Average(j => j.Relevance), StringComparer.Ordinal)))
            .ToList();

    private sealed record JudgedQuery(string Text, IReadOnlyDictionary<string, double> Judged)
    {
        public HashSet<string> Relevant(double threshold) =>
            Judged.Where(kv => kv.Value >= threshold).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A first-stage result of one query: its full-catalogue ranking, judged candidates' scores, latency.</summary>
    private sealed record FirstStage(IReadOnlyList<SearchHit> Hits, IReadOnlyDictionary<string, float> CandidateScores, double LatencyMs);

    private sealed record KeywordResult(string PreparedQuery, FirstStage Stage);

    /// <summary>The re-ranker with product texts and its judged-pair scores, computed once per query for every first stage.</summary>
    private sealed class RerankRun(EvalReranker reranker, IReadOnlyList<Product> products, List<string> texts)
    {
        private readonly Dictionary<string, string> _texts = products.Select((p, i) => (p.Id, Text: texts[i]))
            .ToDictionary(x => x.Id, x => x.Text, StringComparer.Ordinal);
        private readonly Dictionary<int, StoredScores> _judged = [];

        public EvalReranker Reranker => reranker;

        public string TextOf(string productId) => _texts[productId];

        /// <summary>The re-ranker's scores of a query's judged products, as a scorer that looks them up by text.</summary>
        public StoredScores JudgedScorer(int queryIndex, string preparedQuery, IEnumerable<string> productIds, CancellationToken cancellationToken)
        {
            if (!_judged.TryGetValue(queryIndex, out var stored))
            {
                var judgedTexts = productIds.Select(TextOf).Distinct(StringComparer.Ordinal).ToList();
                var values = reranker.Scorer.Score(preparedQuery, judgedTexts, cancellationToken);
                stored = new StoredScores(judgedTexts.Select((t, i) => (t, values[i])).ToDictionary(x => x.t, x => x.Item2, StringComparer.Ordinal));
                _judged[queryIndex] = stored;
            }

            return stored;
        }
    }

    /// <summary>Scores computed earlier, by text (the same text always gets the same score from a pair scorer).</summary>
    private sealed class StoredScores(Dictionary<string, float> byText) : IPairScorer
    {
        public string Identity => "stored";

        public bool ScoresRelevance => false;

        public float ScoreOf(string text) => byText[text];

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            texts.Select(ScoreOf).ToArray();
    }

    /// <summary>BM25's results, and the normalised product texts (in product order) it indexed.</summary>
    private sealed record KeywordRun(MethodAccumulator Method, List<string> Texts, Bm25Index Index) : IDisposable
    {
        public List<KeywordResult> PerQuery { get; } = [];

        public void Dispose() => Index.Dispose();
    }
}
