using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Ranking.Training;

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
