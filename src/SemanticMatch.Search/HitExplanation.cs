using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Keyword;

namespace SemanticMatch.Search;

/// <summary>Why a product matched a query: each method's score and rank and the words that moved them.</summary>
/// <param name="ProductId">The product explained.</param>
/// <param name="Searched">The query as searched (normalised and spell-corrected).</param>
/// <param name="Bm25">The keyword side.</param>
/// <param name="Dense">The embedding side.</param>
/// <param name="Fusion">For hybrid search: how the two sides made the fused score; null otherwise.</param>
/// <param name="Rerank">With a cross-encoder: its score, the first-stage rank, its query-word occlusion; null otherwise.</param>
public sealed record HitExplanation(string ProductId, string Searched, KeywordExplanation Bm25, DenseExplanation Dense, FusionExplanation? Fusion,
    RerankExplanation? Rerank = null);

/// <summary>The cross-encoder side of a match.</summary>
/// <param name="Score">The cross-encoder's score of the (query, product) pair.</param>
/// <param name="FirstStageRank">The product's 1-based rank before re-ranking (within the fusion depth); null beyond it.</param>
/// <param name="QueryWords">How much the cross-encoder's score drops when each query word is left out.</param>
public sealed record RerankExplanation(float Score, int? FirstStageRank, IReadOnlyList<WordContribution> QueryWords);

/// <summary>The BM25 side of a match.</summary>
/// <param name="Score">The product's BM25 score (the sum of the terms' contributions).</param>
/// <param name="Rank">Its 1-based BM25 rank within the fusion depth; null when it is not among them.</param>
/// <param name="Terms">Each query term's contribution.</param>
public sealed record KeywordExplanation(float Score, int? Rank, IReadOnlyList<TermContribution> Terms);

/// <summary>The embedding side of a match, by occlusion: how much S(q, d) drops when a word is left out.</summary>
/// <param name="Score">S(q, d) under the index's metric.</param>
/// <param name="Rank">Its 1-based dense rank within the fusion depth; null when it is not among them.</param>
/// <param name="QueryWords">Each query word's drop (positive: the word pulled the product up).</param>
/// <param name="ProductWords">Each product word's drop (its first <see cref="HitExplainer.MaxProductWords"/> words).</param>
public sealed record DenseExplanation(float Score, int? Rank, IReadOnlyList<WordContribution> QueryWords, IReadOnlyList<WordContribution> ProductWords);

/// <summary>One word's part of a dense score.</summary>
/// <param name="Word">The word as the user or the catalogue wrote it (not a WordPiece).</param>
/// <param name="Contribution">S(q, d) minus S with the word left out.</param>
public sealed record WordContribution(string Word, float Contribution);

/// <summary>How hybrid fusion combined the two sides for a product.</summary>
/// <param name="Method">The fusion rule.</param>
/// <param name="Score">The fused score.</param>
/// <param name="Bm25Part">What the BM25 list added.</param>
/// <param name="DensePart">What the dense list added.</param>
public sealed record FusionExplanation(
    [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<FusionMethod>))] FusionMethod Method,
    double Score, double Bm25Part, double DensePart)
{
    /// <summary>The BM25 list's share of the fused score, in [0, 1].</summary>
    public double Bm25Share => Score > 0 ? Bm25Part / Score : 0;

    /// <summary>The dense list's share of the fused score, in [0, 1].</summary>
    public double DenseShare => Score > 0 ? DensePart / Score : 0;
}
