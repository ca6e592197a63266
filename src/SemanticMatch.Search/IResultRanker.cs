using SemanticMatch.Core;

namespace SemanticMatch.Search;

/// <summary>
/// The learned last stage of a search: orders the first stage's top candidates by many signals at once (keyword and
/// dense scores, a cross-encoder's score, lexical agreement of query and title) and gives each a calibrated
/// probability of relevance.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IResultRanker
{
    /// <summary>Identifies the ranker (its directory and fingerprint) for reports.</summary>
    string Identity { get; }

    /// <summary>
    /// The cross-encoder (a bundled key or a model directory) whose score of each candidate it reads, or null; a search
    /// with this ranker must have that re-ranker.
    /// </summary>
    string? CrossEncoder { get; }

    /// <summary>How many first-stage results it re-orders (the depth it was trained on).</summary>
    int Depth { get; }

    /// <summary>Scores <paramref name="items"/> of one query; result[i] belongs to items[i].</summary>
    /// <param name="query">The query and its first stage's candidates (the context every item is compared with).</param>
    /// <param name="items">What to score: the candidates themselves, or any other products described the same way.</param>
    IReadOnlyList<RankerScore> Score(QuerySignals query, IReadOnlyList<CandidateSignals> items);
}

/// <summary>A ranker's verdict on one candidate.</summary>
/// <param name="Score">Orders the candidates of one query (higher first); not comparable across queries.</param>
/// <param name="Relevance">Predicted relevance on the judgments' scale (comparable across queries).</param>
/// <param name="Probability">Calibrated probability that the candidate is relevant (comparable across queries).</param>
public readonly record struct RankerScore(float Score, float Relevance, float Probability);

/// <summary>What a ranker knows of one candidate.</summary>
/// <param name="Id">The product id.</param>
/// <param name="Text">The product text (normalised) as searched and re-ranked.</param>
/// <param name="Keyword">BM25 score for the searched query (0 when no query word matches).</param>
/// <param name="Dense">Similarity of the query's and the product's embeddings.</param>
/// <param name="Cross">The cross-encoder's score, or null without one.</param>
/// <param name="FirstStageRank">1-based position in the first stage's ranking; depth + 1 when it was not among the candidates.</param>
public sealed record CandidateSignals(string Id, string Text, float Keyword, float Dense, float? Cross, int FirstStageRank);

/// <summary>One query and the candidates its first stage returned.</summary>
/// <param name="Normalized">The query after normalisation, before spelling correction.</param>
/// <param name="Searched">The query as searched (spell-corrected).</param>
/// <param name="Candidates">The first stage's top candidates, best first.</param>
public sealed record QuerySignals(string Normalized, string Searched, IReadOnlyList<CandidateSignals> Candidates)
{
    /// <summary>Whether spelling correction changed the query.</summary>
    public bool Corrected => !string.Equals(Normalized, Searched, StringComparison.Ordinal);
}
