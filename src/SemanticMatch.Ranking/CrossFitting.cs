using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Ranking;

/// <summary>
/// A part of a ranker's train judgments described by models that were not fine-tuned on its queries (cross-fitting):
/// the ranker then learns from queries the served models were trained on, each seen through models for which it is new.
/// </summary>
/// <param name="Judgments">The part's judgments file, as given.</param>
/// <param name="BiEncoder">The bi-encoder of its first stage and dense features.</param>
/// <param name="CrossEncoder">Its cross-encoder, or null when the ranker has none.</param>
/// <param name="Queries">Its queries.</param>
/// <param name="Pairs">Its judged pairs.</param>
public sealed record RankerPart(string Judgments, ModelReference BiEncoder, ModelReference? CrossEncoder, int Queries, int Pairs);

/// <summary>Checks on the judgment sets a cross-fitted ranker is trained from.</summary>
public static class CrossFitting
{
    /// <summary>
    /// Fails when a query is in two of the sets: it would be learned twice, with two models' scores, and a part's point is
    /// that its models never saw its queries.
    /// </summary>
    /// <param name="sets">Each set's name for the message (e.g. "--part 2 (m2.csv)") and its judgments.</param>
    /// <exception cref="InvalidRequestException">A query in two sets, named with both.</exception>
    public static void CheckDisjoint(IReadOnlyList<(string Name, IReadOnlyList<Judgment> Judgments)> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, judgments) in sets)
        {
            var queries = judgments.Select(j => j.Query).Distinct(StringComparer.Ordinal).ToList();
            var shared = queries.Where(owner.ContainsKey).ToList();
            if (shared.Count > 0)
            {
                throw new InvalidRequestException(
                    $"query '{shared[0]}' is in both {owner[shared[0]]} and {name} ({shared.Count} shared queries): the train judgments and each part must hold different queries");
            }

            foreach (var query in queries)
            {
                owner.Add(query, name);
            }
        }
    }
}
