namespace SemanticMatch.Core;

/// <summary>One ranked result: a product id and its score (higher is better; the meaning depends on the method).</summary>
public readonly record struct SearchHit(string ProductId, float Score)
{
    /// <summary>The calibrated probability that the product is relevant, when a learned ranker scored it; else null.</summary>
    public float? Probability { get; init; }
}
