namespace SemanticMatch.Core;

/// <summary>Scores (query, product text) pairs by reading them together (a cross-encoder re-ranker).</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPairScorer
{
    /// <summary>Identifies the model (name and weights) for reports.</summary>
    string Identity { get; }

    /// <summary>Whether scores are predicted relevance on the labels' scale (so RMSE against labels means something).</summary>
    bool ScoresRelevance { get; }

    /// <summary>Scores each text against the query; higher = more relevant. result[i] belongs to texts[i].</summary>
    /// <param name="query">The query, already normalised.</param>
    /// <param name="texts">Product texts, already normalised.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many tokens scoring these pairs reads (what a rerank API bills as usage). Scorers without a tokenizer count
    /// whitespace-separated words of the query and the texts.
    /// </summary>
    int CountTokens(string query, IReadOnlyList<string> texts) =>
        texts.Append(query).Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
}

/// <summary>A pair scorer its holder disposes (a loaded model, or an ensemble of them).</summary>
public interface IOwnedPairScorer : IPairScorer, IDisposable;
