using System.Text.Json.Serialization;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Training.Augmenting;

/// <summary>A way of rewriting training queries (see <see cref="QueryRewrites"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Augmentation>))]
public enum Augmentation
{
    /// <summary>One keyboard slip in one word.</summary>
    Typos,

    /// <summary>One unit spelled another way ("in." / "inch", "gal." / "gallon").</summary>
    Units,

    /// <summary>The first or last word dropped.</summary>
    Truncate,

    /// <summary>One word replaced by a synonym mined from the training judgments (<see cref="SynonymMining"/>).</summary>
    Synonyms,
}

/// <summary>How many queries each augmentation rewrote (and so how many judgments it added).</summary>
public sealed record AugmentationReport(Augmentation Kind, int Queries, int Judgments);

/// <summary>
/// Adds rewritten copies of training queries: for every query and every chosen augmentation, with probability
/// <c>rate</c>, the rewritten query with all of the original's judged products at the same relevance (the source
/// design's augmentation: the label is assumed to survive a typo, a unit spelling, a synonym, a dropped word — the
/// ablation in docs/results/ranking.md measures whether it does).
/// </summary>
public static class QueryAugmenter
{
    /// <summary>
    /// The judgments to add (the originals are not repeated). Deterministic for a seed; a rewrite that equals a query
    /// already in the training set is dropped, so no query gains judgments it did not have.
    /// </summary>
    public static (List<Judgment> Added, List<AugmentationReport> Report) Augment(IReadOnlyList<Judgment> judgments,
        IReadOnlyCollection<Augmentation> kinds, double rate, IReadOnlyDictionary<string, string> synonyms, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        var byQuery = judgments.GroupBy(j => j.Query, StringComparer.Ordinal).ToList();
        var taken = byQuery.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var added = new List<Judgment>();
        var report = new List<AugmentationReport>();
        foreach (var kind in kinds.Distinct().Order())
        {
            var random = new Random(HashCode.Combine(seed, (int)kind));
            var (queries, before) = (0, added.Count);
            foreach (var query in byQuery)
            {
                if (random.NextDouble() >= rate || Rewrite(kind, query.Key, synonyms, random) is not { } rewritten || !taken.Add(rewritten))
                {
                    continue;
                }

                queries++;
                added.AddRange(query.Select(j => j with { Query = rewritten }));
            }

            report.Add(new AugmentationReport(kind, queries, added.Count - before));
        }

        return (added, report);
    }

    private static string? Rewrite(Augmentation kind, string query, IReadOnlyDictionary<string, string> synonyms, Random random) => kind switch
    {
        Augmentation.Typos => QueryRewrites.Typo(query, random),
        Augmentation.Units => QueryRewrites.Units(query, random),
        Augmentation.Truncate => QueryRewrites.Truncate(query, random),
        _ => QueryRewrites.Synonym(query, synonyms, random),
    };
}
