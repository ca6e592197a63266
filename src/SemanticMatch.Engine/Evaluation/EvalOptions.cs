using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>Settings of an evaluation run; the metric definitions are in docs/metrics.md.</summary>
public sealed record EvalOptions
{
    /// <summary>A pair counts as relevant for binary metrics when relevance &gt;= this (2.5 for Home Depot).</summary>
    public double RelevantThreshold { get; init; } = 2.5;

    /// <summary>Lowest relevance of the scale (gain 0); null takes the smallest relevance in the judgments.</summary>
    public double? ScaleMinimum { get; init; }

    /// <summary>
    /// The corpus every method searches, built as an index folder or collection with these settings is: product text
    /// fields and normalisation, keyword language, vector metric and vector index.
    /// </summary>
    public CatalogueIndexOptions Corpus { get; init; } = new();

    /// <summary>Hybrid fusion settings.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>Results each retriever contributes to hybrid fusion.</summary>
    public int FusionDepth { get; init; } = SearchOptions.DefaultFusionDepth;

    /// <summary>Spell-correct queries against the catalogue before every method (as search does by default).</summary>
    public bool SpellCorrection { get; init; } = true;

    /// <summary>Whether to evaluate BM25 alone.</summary>
    public bool IncludeBm25 { get; init; } = true;

    /// <summary>Whether to evaluate each dense model alone.</summary>
    public bool IncludeDense { get; init; } = true;

    /// <summary>Whether to evaluate hybrid (BM25 + each dense model).</summary>
    public bool IncludeHybrid { get; init; } = true;

    /// <summary>A cross-encoder that re-ranks the top <see cref="RerankDepth"/> of BM25 and of each hybrid (null = none).</summary>
    public EvalReranker? Reranker { get; init; }

    /// <summary>First-stage results the re-ranker re-scores (the judged candidates of a query likewise).</summary>
    public int RerankDepth { get; init; } = SearchOptions.DefaultRerankDepth;

    /// <summary>Share of the first-stage score in the re-ranked order (see Reranking.Rerank; 0 = cross-encoder only).</summary>
    public double RerankFirstStageWeight { get; init; }

    /// <summary>Checks the corpus and search settings by the rules of index folders and <see cref="SearchOptions"/>; returns the first problem or null.</summary>
    public OptionProblem? Problem() => Corpus.Problem() ?? new SearchOptions
    {
        FusionDepth = FusionDepth,
        Fusion = Fusion,
        RerankDepth = RerankDepth,
        RerankFirstStageWeight = RerankFirstStageWeight,
    }.Problem();
}

/// <summary>A re-ranker under evaluation.</summary>
/// <param name="Label">Short label for the report.</param>
/// <param name="Scorer">The cross-encoder.</param>
public sealed record EvalReranker(string Label, IPairScorer Scorer);

/// <summary>A dense model under evaluation.</summary>
/// <param name="Label">Short label for the report, e.g. "minilm" or "minilm:max".</param>
/// <param name="Encoder">The encoder.</param>
public sealed record EvalModel(string Label, ITextEncoder Encoder);
