namespace SemanticMatch.Collections.Feedback;

/// <summary>How judgments are estimated from the traffic log.</summary>
public enum ClickModel
{
    /// <summary>
    /// The position-based model fitted by EM: a click needs the hit examined (a probability per position, shared by all
    /// queries) and attractive (a probability per query and product, the estimated relevance in [0, 1]).
    /// </summary>
    PositionBased,

    /// <summary>The old grades: 3 bought, 2 clicked, 0 rejected, 1 shown often enough and never clicked.</summary>
    Naive,
}

/// <summary>How searches and events become judgments.</summary>
public sealed record JudgmentOptions
{
    /// <summary>The click model.</summary>
    public ClickModel ClickModel { get; init; } = ClickModel.PositionBased;

    /// <summary>Impressions a (query, product) pair needs before it is judged (position-based model).</summary>
    public int MinEvidence { get; init; } = 3;

    /// <summary>
    /// Hits shown above the last click of a search count as examined (skipped, not unseen): the cascade assumption
    /// that gives skip-above negatives. Off by default: shoppers scanning a grid do not read it top to bottom, and
    /// on such traffic the assumption takes positions 2-7 for examined almost always, which drags every attraction
    /// below it down (docs/results/learning-loop.md). For a list read in order it may fit.
    /// </summary>
    public bool SkipAbove { get; init; }

    /// <summary>Sessions clicking more than this many hits per search on average are left out (robots, testers).</summary>
    public double MaxClicksPerSearch { get; init; } = 4;

    /// <summary>Positions modelled; hits shown lower are left out.</summary>
    public int MaxPosition { get; init; } = 50;

    /// <summary>EM rounds of the position-based model.</summary>
    public int Iterations { get; init; } = 50;

    /// <summary>Impressions without a click before a shown product counts as a weak negative, relevance 1 (naive model).</summary>
    public int MinImpressions { get; init; } = 2;

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public Core.OptionProblem? Problem() => this switch
    {
        { MinEvidence: < 1 } => new(nameof(MinEvidence), "must be at least 1"),
        { MaxClicksPerSearch: <= 0 } => new(nameof(MaxClicksPerSearch), "must be positive"),
        { MaxPosition: < 1 } => new(nameof(MaxPosition), "must be at least 1"),
        { Iterations: < 1 } => new(nameof(Iterations), "must be at least 1"),
        { MinImpressions: < 1 } => new(nameof(MinImpressions), "must be at least 1"),
        _ => null,
    };
}

/// <summary>One estimated judgment with its evidence.</summary>
/// <param name="Query">The query, trimmed and lower-cased.</param>
/// <param name="ProductId">The record id.</param>
/// <param name="Relevance">The estimate (probability in [0, 1], or the naive grade 0..3).</param>
/// <param name="Impressions">Times the pair was shown in the searches used.</param>
/// <param name="Clicks">Times it was clicked (or carted or bought) there.</param>
public sealed record EstimatedJudgment(string Query, string ProductId, double Relevance, int Impressions, int Clicks);
