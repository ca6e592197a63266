namespace SemanticMatch.Core.Catalogue;

/// <summary>One labelled (query, product) pair with a graded relevance (e.g. 1 to 3 for Home Depot).</summary>
public readonly record struct Judgment(string Query, string ProductId, double Relevance);

/// <summary>Column names of judgment files.</summary>
public static class JudgmentColumns
{
    /// <summary>The query text column.</summary>
    public const string Query = "query";

    /// <summary>The product id column.</summary>
    public const string ProductId = "product_id";

    /// <summary>The graded relevance column.</summary>
    public const string Relevance = "relevance";
}
