using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Training.Augmenting;

/// <summary>
/// Mines query-word synonyms from judgments: a query word that relevant products' titles lack, paired with the title word
/// that stands in for it in most of those products ("fridge" -> "refrigerator"), when that title word is not a word
/// most titles carry anyway and a text encoder finds the two words alike (co-occurrence alone also pairs "hot" with
/// "gallon": hot water heaters are sold by the gallon).
/// </summary>
public static class SynonymMining
{
    /// <summary>Lower-case query word -> its synonym, for words seen missing from at least <paramref name="minimumPairs"/> relevant titles.</summary>
    /// <param name="judgments">Training judgments.</param>
    /// <param name="productText">Product text by id (titles).</param>
    /// <param name="threshold">Relevance at or above which a pair is relevant.</param>
    /// <param name="similarity">Cosine similarity of two words by a text encoder, one value per pair given.</param>
    /// <param name="minimumSimilarity">Similarity a stand-in needs to count as a synonym.</param>
    /// <param name="minimumPairs">Relevant pairs a word must be missing from before a synonym is trusted.</param>
    public static Dictionary<string, string> Mine(IReadOnlyList<Judgment> judgments, IReadOnlyDictionary<string, string> productText,
        double threshold, Func<IReadOnlyList<(string A, string B)>, float[]> similarity, double minimumSimilarity = 0.6, int minimumPairs = 5)
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        var together = new Dictionary<(string Query, string Title), int>();
        var titleWords = new Dictionary<string, int>(StringComparer.Ordinal);
        var relevantPairs = 0;
        foreach (var judgment in judgments.Where(j => j.Relevance >= threshold && productText.ContainsKey(j.ProductId)))
        {
            relevantPairs++;
            var query = Words(judgment.Query);
            var title = Words(productText[judgment.ProductId]);
            foreach (var word in title)
            {
                titleWords[word] = titleWords.GetValueOrDefault(word) + 1;
            }

            var titleOnly = title.Except(query).ToList();
            foreach (var word in query.Except(title))
            {
                missing[word] = missing.GetValueOrDefault(word) + 1;
                foreach (var stand in titleOnly)
                {
                    together[(word, stand)] = together.GetValueOrDefault((word, stand)) + 1;
                }
            }
        }

        // A stand-in must fill at least a third of the word's gaps and be rare overall (in under 5% of relevant titles).
        var candidates = together
            .Where(p => missing[p.Key.Query] >= minimumPairs && p.Value * 3 >= missing[p.Key.Query] && titleWords[p.Key.Title] * 20 < relevantPairs)
            .ToList();
        var alike = similarity(candidates.Select(p => p.Key).ToList());
        return candidates
            .Where((_, i) => alike[i] >= minimumSimilarity)
            .GroupBy(p => p.Key.Query, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Title, StringComparer.Ordinal).First().Key.Title,
                StringComparer.Ordinal);
    }

    // Lower-case alphabetic words of three letters or more: numbers and units are the units augmentation's business.
    private static HashSet<string> Words(string text) => text.ToLowerInvariant()
        .Split([' ', ',', '-', '/', '(', ')', '.', '"'], StringSplitOptions.RemoveEmptyEntries)
        .Where(w => w.Length >= 3 && w.All(char.IsLetter))
        .ToHashSet(StringComparer.Ordinal);
}
