namespace SemanticMatch.Engine.Evaluation;

/// <summary>Metrics of one method over one judgment set. Null where a metric is undefined for the data.</summary>
public sealed record MethodResult
{
    /// <summary>Method label, e.g. "bm25", "dense[minilm]", "hybrid[minilm]".</summary>
    public required string Method { get; init; }

    /// <summary>Mean re-ranking NDCG@10 over queries whose judged products differ in relevance.</summary>
    public double? Ndcg10 { get; init; }

    /// <summary>Queries that entered NDCG.</summary>
    public int NdcgQueries { get; init; }

    /// <summary>Queries skipped by NDCG because all their judged products share one relevance.</summary>
    public int NdcgSkipped { get; init; }

    /// <summary>Full-catalogue Recall@10 over queries with at least one relevant product.</summary>
    public double? Recall10 { get; init; }

    /// <summary>Full-catalogue Recall@100.</summary>
    public double? Recall100 { get; init; }

    /// <summary>Full-catalogue MRR@10.</summary>
    public double? Mrr10 { get; init; }

    /// <summary>Queries that entered Recall and MRR.</summary>
    public int RetrievalQueries { get; init; }

    /// <summary>ROC-AUC of the pair score against the binary label.</summary>
    public double? RocAuc { get; init; }

    /// <summary>Accuracy at the accuracy-maximising threshold on this set.</summary>
    public double? Accuracy { get; init; }

    /// <summary>F1 at that threshold.</summary>
    public double? F1 { get; init; }

    /// <summary>That threshold; null when the best is to call no pair relevant (or there are no pairs).</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// Root-mean-square error of the score against the relevance label, over all judged pairs; only for a re-ranker
    /// whose score is a predicted relevance (a graded cross-encoder).
    /// </summary>
    public double? Rmse { get; init; }

    /// <summary>Expected calibration error of the probabilities of a learned ranker (10 bins), or null.</summary>
    public double? CalibrationError { get; init; }

    /// <summary>Products indexed per second (embedding for dense; BM25 indexing for bm25; the slower part for hybrid).</summary>
    public double ProductsPerSecond { get; init; }

    /// <summary>Query latency, median, in ms (embedding included for dense and hybrid).</summary>
    public double LatencyP50Ms { get; init; }

    /// <summary>Query latency, 95th percentile, in ms.</summary>
    public double LatencyP95Ms { get; init; }
}

/// <summary>An evaluation run: what was evaluated, on what, and the results per method.</summary>
public sealed record EvalReport
{
    /// <summary>When it ran (UTC).</summary>
    public DateTimeOffset Date { get; init; }

    /// <summary>Machine description (CPU, cores, OS, runtime).</summary>
    public required string Machine { get; init; }

    /// <summary>The command line, as the CLI received it.</summary>
    public string? Command { get; init; }

    /// <summary>Products file.</summary>
    public required string Products { get; init; }

    /// <summary>Judgments file.</summary>
    public required string Judgments { get; init; }

    /// <summary>Number of products.</summary>
    public int ProductCount { get; init; }

    /// <summary>Number of distinct queries.</summary>
    public int QueryCount { get; init; }

    /// <summary>Number of judged pairs.</summary>
    public int PairCount { get; init; }

    /// <summary>Binary relevance threshold.</summary>
    public double RelevantThreshold { get; init; }

    /// <summary>Scale minimum used for NDCG gains.</summary>
    public double ScaleMinimum { get; init; }

    /// <summary>Results, one per method.</summary>
    public required IReadOnlyList<MethodResult> Methods { get; init; }
}
