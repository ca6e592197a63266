namespace SemanticMatch.Core.Keyword;

/// <summary>One query term's part of a product's BM25 score.</summary>
/// <param name="Word">The query word as searched (after normalisation and spelling correction).</param>
/// <param name="Term">The indexed term it became (lower-cased, stemmed).</param>
/// <param name="Contribution">Its part of the score; 0 when the product does not contain it.</param>
public sealed record TermContribution(string Word, string Term, float Contribution)
{
    /// <summary>The query's word or phrase this term was searched for when a synonym added it ("couch" for "sofa"); null for the query's own words.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? SynonymOf { get; init; }
}
