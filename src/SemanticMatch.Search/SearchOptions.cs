using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;

namespace SemanticMatch.Search;

/// <summary>Per-query search settings; <see cref="Problem"/> holds their rules.</summary>
public sealed record SearchOptions
{
    /// <summary>Default of <see cref="Top"/>.</summary>
    public const int DefaultTop = 10;

    /// <summary>Default of <see cref="FusionDepth"/>.</summary>
    public const int DefaultFusionDepth = 100;

    /// <summary>Default of <see cref="RerankDepth"/>.</summary>
    public const int DefaultRerankDepth = 50;

    /// <summary>The method.</summary>
    public SearchMethod Method { get; init; } = SearchMethod.Hybrid;

    /// <summary>Number of results.</summary>
    public int Top { get; init; } = DefaultTop;

    /// <summary>How many results each retriever contributes to hybrid fusion (at least <see cref="Top"/>).</summary>
    public int FusionDepth { get; init; } = DefaultFusionDepth;

    /// <summary>Fusion rule and weights.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>Cross-encoder that re-orders the top <see cref="RerankDepth"/> results (null = no re-ranking).</summary>
    public IPairScorer? Reranker { get; init; }

    /// <summary>How many first-stage results the re-ranker re-scores.</summary>
    public int RerankDepth { get; init; } = DefaultRerankDepth;

    /// <summary>Share of the first-stage score in the re-ranked order, in [0, 1) (0 = the re-ranker's score alone).</summary>
    public double RerankFirstStageWeight { get; init; }

    /// <summary>
    /// Learned ranker that orders the top <see cref="IResultRanker.Depth"/> first-stage results (null = none); when it
    /// was trained with a cross-encoder's scores, <see cref="Reranker"/> must be that cross-encoder, and it feeds the
    /// ranker instead of ordering the results itself.
    /// </summary>
    public IResultRanker? Ranker { get; init; }

    /// <summary>Replace query words that no product contains by the closest catalogue word (see Bm25Index.CorrectSpelling).</summary>
    public bool SpellCorrection { get; init; } = true;

    /// <summary>Checks every value (the fusion options' too); returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        { Top: < 1 } => new(nameof(Top), "must be at least 1"),
        { FusionDepth: < 1 } => new(nameof(FusionDepth), "must be at least 1"),
        { RerankDepth: < 1 } => new(nameof(RerankDepth), "must be at least 1"),
        { RerankFirstStageWeight: < 0 or >= 1 or double.NaN } => new(nameof(RerankFirstStageWeight), "must be in [0, 1)"),
        { Ranker.CrossEncoder: not null, Reranker: null } => new(nameof(Ranker), "was trained with a cross-encoder's scores: give that cross-encoder as the re-ranker"),
        _ => Fusion?.Problem() ?? (Fusion is null ? new(nameof(Fusion), "must be given") : null),
    };
}
