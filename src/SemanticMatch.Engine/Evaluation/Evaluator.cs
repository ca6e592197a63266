using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Index.Keyword;
using SemanticMatch.Index.Vectors;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>
/// Evaluates BM25, dense and hybrid search on labelled (query, product, relevance) pairs: re-ranking NDCG@10 over each
/// query's judged products, full-catalogue Recall@10/100 and MRR@10, pair ROC-AUC / accuracy / F1, indexing throughput
/// and query latency. Definitions: docs/metrics.md.
/// </summary>
public sealed class Evaluator(EvalOptions options, IProgressSink? progress = null)
{
    private const int RetrievalDepth = 100;
    private readonly IProgressSink _progress = progress ?? NullProgressSink.Instance;

    /// <summary>Runs the evaluation.</summary>
    /// <param name="products">The whole catalogue (retrieval searches all of it).</param>
    /// <param name="judgments">Labelled pairs; every product id must be in <paramref name="products"/>.</param>
    /// <param name="models">Dense models to evaluate (alone and in hybrid); may be empty for BM25 only.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public IReadOnlyList<MethodResult> Run(IReadOnlyList<Product> products, IReadOnlyList<Judgment> judgments,
        IReadOnlyList<EvalModel> models, CancellationToken cancellationToken = default)
    {
        if (judgments.Count == 0)
        {
            throw new ArgumentException("no judgments to evaluate", nameof(judgments));
        }

        var queries = GroupByQuery(judgments);
        var scaleMinimum = options.ScaleMinimum ?? judgments.Min(j => j.Relevance);
        var keyword = RunKeyword(products, queries, scaleMinimum, cancellationToken);
        var results = new List<MethodResult>();
        if (options.IncludeBm25)
        {
            results.Add(keyword.Method.Result());
        }

        foreach (var model in models)
        {
            results.AddRange(RunDense(products, queries, model, keyword, scaleMinimum, cancellationToken));
        }

        return results;
    }

    private KeywordRun RunKeyword(IReadOnlyList<Product> products, List<JudgedQuery> queries, double scaleMinimum,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var index = Bm25Index.CreateInMemory();
        foreach (var product in products)
        {
            index.Upsert(product.Id, options.Text.Of(product));
        }

        index.Commit();
        var run = new KeywordRun(new MethodAccumulator("bm25", products.Count / stopwatch.Elapsed.TotalSeconds));
        var depth = Math.Max(RetrievalDepth, options.FusionDepth);
        var step = _progress.Begin($"BM25 over {queries.Count} queries", queries.Count);
        foreach (var query in queries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stopwatch.Restart();
            var normalized = options.Text.OfQuery(query.Text);
            normalized = options.SpellCorrection ? index.CorrectSpelling(normalized) : normalized;
            var hits = index.Search(normalized, depth);
            var latency = stopwatch.Elapsed.TotalMilliseconds;
            var scores = index.ScoreCandidates(normalized, query.Judged.Keys.ToList());
            run.Method.AddRetrieval(hits, query.Relevant(options.RelevantThreshold), latency);
            run.Method.AddCandidates(Candidates(scores, query.Judged), scaleMinimum, options.RelevantThreshold);
            run.PerQuery.Add(new KeywordResult(normalized, hits, scores, latency));
            step.Report(run.PerQuery.Count);
        }

        return run;
    }

    private List<MethodResult> RunDense(IReadOnlyList<Product> products, List<JudgedQuery> queries, EvalModel model,
        KeywordRun keyword, double scaleMinimum, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var embed = _progress.Begin($"embedding {products.Count} products [{model.Label}]", products.Count);
        var embeddings = model.Encoder.Encode(products.Select(options.Text.Of).ToList(), TextRole.Document, embed, cancellationToken);
        var embedRate = products.Count / stopwatch.Elapsed.TotalSeconds;
        using var vectors = new ExactVectorIndex(model.Encoder.Dimension, SimilarityMetric.Cosine);
        var vectorsById = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < products.Count; i++)
        {
            vectors.Add(products[i].Id, embeddings[i]);
            vectorsById[products[i].Id] = embeddings[i];
        }

        var dense = new MethodAccumulator($"dense[{model.Label}]", embedRate);
        var hybrid = new MethodAccumulator($"hybrid[{model.Label}]", Math.Min(embedRate, keyword.Method.ProductsPerSecond));
        var step = _progress.Begin($"dense and hybrid over {queries.Count} queries [{model.Label}]", queries.Count);
        for (var q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = queries[q];
            var relevant = query.Relevant(options.RelevantThreshold);
            var keywordResult = keyword.PerQuery[q];
            stopwatch.Restart();
            var queryVector = model.Encoder.EncodeOne(keywordResult.PreparedQuery, TextRole.Query);
            var depth = Math.Max(RetrievalDepth, options.FusionDepth);
            var denseHits = vectors.Search(queryVector, depth);
            var denseMs = stopwatch.Elapsed.TotalMilliseconds;
            var denseScores = query.Judged.Keys.ToDictionary(id => id, id => VectorSimilarity.Cosine(queryVector, vectorsById[id]));
            dense.AddRetrieval(denseHits.Take(RetrievalDepth).ToList(), relevant, denseMs);
            dense.AddCandidates(Candidates(denseScores, query.Judged), scaleMinimum, options.RelevantThreshold);

            stopwatch.Restart();
            var fusedHits = HybridFusion.Fuse(keywordResult.Hits.Take(options.FusionDepth).ToList(),
                denseHits.Take(options.FusionDepth).ToList(), options.Fusion);
            var fuseMs = stopwatch.Elapsed.TotalMilliseconds;
            hybrid.AddRetrieval(fusedHits.Take(RetrievalDepth).ToList(), relevant, denseMs + keywordResult.LatencyMs + fuseMs);
            var fusedCandidates = HybridFusion.Fuse(Ranked(keywordResult.CandidateScores), Ranked(denseScores), options.Fusion)
                .ToDictionary(h => h.ProductId, h => h.Score);
            hybrid.AddCandidates(Candidates(fusedCandidates, query.Judged), scaleMinimum, options.RelevantThreshold);
            step.Report(q + 1);
        }

        var results = new List<MethodResult>();
        if (options.IncludeDense)
        {
            results.Add(dense.Result());
        }

        if (options.IncludeHybrid)
        {
            results.Add(hybrid.Result());
        }

        return results;
    }

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

    private sealed record KeywordResult(string PreparedQuery, IReadOnlyList<SearchHit> Hits, IReadOnlyDictionary<string, float> CandidateScores, double LatencyMs);

    private sealed record KeywordRun(MethodAccumulator Method)
    {
        public List<KeywordResult> PerQuery { get; } = [];
    }
}
