namespace SemanticMatch.Core;

/// <summary>One ranked result: a product id and its score (higher is better; the meaning depends on the method).</summary>
public readonly record struct SearchHit(string ProductId, float Score);
