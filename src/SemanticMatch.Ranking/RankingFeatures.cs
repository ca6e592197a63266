using SemanticMatch.Search;

namespace SemanticMatch.Ranking;

/// <summary>Families of features; a ranker can be trained without any of them (the ablations in docs/results/ranking.md).</summary>
public enum FeatureGroup
{
    /// <summary>BM25 score, its gap to the best candidate's, its rank among the candidates.</summary>
    Keyword,

    /// <summary>The bi-encoder's cosine, gap and rank.</summary>
    Dense,

    /// <summary>The cross-encoder's score, gap and rank.</summary>
    Cross,

    /// <summary>Position in the first stage's (hybrid) ranking.</summary>
    FirstStage,

    /// <summary>Query-word coverage of the title, all words, phrase, word pairs, last and first word, lengths.</summary>
    Lexical,

    /// <summary>Numbers of the query found in the title, or contradicted by it.</summary>
    Numbers,

    /// <summary>Whether spelling correction changed the query.</summary>
    Spelling,
}

/// <summary>
/// The feature vector of a (query, candidate) pair. Scores are also taken relative to the query's first-stage candidates
/// (gap to the best, rank among them): a cosine of 0.6 is strong for one query and weak for another, and the ranker
/// orders products within a query. Features of an excluded group are 0 (the trees then never split on them).
/// </summary>
public static class RankingFeatures
{
    /// <summary>Feature names, in vector order, with their groups.</summary>
    public static IReadOnlyList<(string Name, FeatureGroup Group)> All { get; } =
    [
        ("keyword", FeatureGroup.Keyword), ("keyword_gap", FeatureGroup.Keyword), ("keyword_rank", FeatureGroup.Keyword),
        ("dense", FeatureGroup.Dense), ("dense_gap", FeatureGroup.Dense), ("dense_rank", FeatureGroup.Dense),
        ("cross", FeatureGroup.Cross), ("cross_gap", FeatureGroup.Cross), ("cross_rank", FeatureGroup.Cross),
        ("first_stage_rank", FeatureGroup.FirstStage),
        ("coverage", FeatureGroup.Lexical), ("all_words", FeatureGroup.Lexical), ("phrase", FeatureGroup.Lexical),
        ("pair_coverage", FeatureGroup.Lexical), ("last_word", FeatureGroup.Lexical), ("first_word", FeatureGroup.Lexical),
        ("title_words", FeatureGroup.Lexical), ("query_words", FeatureGroup.Lexical),
        ("query_numbers", FeatureGroup.Numbers), ("number_match", FeatureGroup.Numbers), ("number_conflict", FeatureGroup.Numbers),
        ("corrected", FeatureGroup.Spelling),
    ];

    /// <summary>Length of a feature vector.</summary>
    public static int Count => All.Count;

    /// <summary>The feature vectors of <paramref name="items"/> (one per item) for one query.</summary>
    /// <param name="query">The query and its candidates.</param>
    /// <param name="items">What to describe.</param>
    /// <param name="excluded">Groups left out (their features are 0).</param>
    public static float[][] Of(QuerySignals query, IReadOnlyList<CandidateSignals> items, IReadOnlySet<FeatureGroup> excluded)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(excluded);
        var keyword = new Relative(query.Candidates.Select(c => c.Keyword));
        var dense = new Relative(query.Candidates.Select(c => c.Dense));
        var cross = new Relative(query.Candidates.Select(c => c.Cross ?? 0));
        var words = WordSet.Of(query.Searched);
        var mask = All.Select(f => excluded.Contains(f.Group) ? 0f : 1f).ToArray();
        return items.Select(item =>
        {
            var title = WordSet.Of(item.Text);
            var matched = words.Distinct.Count(title.Distinct.Contains);
            var numbersMatched = words.Numbers.Count(title.Numbers.Contains);
            float[] features =
            [
                item.Keyword, keyword.Gap(item.Keyword), keyword.Rank(item.Keyword),
                item.Dense, dense.Gap(item.Dense), dense.Rank(item.Dense),
                item.Cross ?? 0, cross.Gap(item.Cross ?? 0), cross.Rank(item.Cross ?? 0),
                item.FirstStageRank,
                Share(matched, words.Distinct.Count), matched == words.Distinct.Count ? 1 : 0, title.ContainsPhrase(words) ? 1 : 0,
                Share(words.Bigrams.Count(title.Bigrams.Contains), words.Bigrams.Count),
                words.Words.Count > 0 && title.Distinct.Contains(words.Words[^1]) ? 1 : 0,
                title.Words.Count > 0 && words.Distinct.Contains(title.Words[0]) ? 1 : 0,
                title.Words.Count, words.Words.Count,
                words.Numbers.Count, Share(numbersMatched, words.Numbers.Count),
                words.Numbers.Count > 0 && title.Numbers.Count > 0 && numbersMatched == 0 ? 1 : 0,
                query.Corrected ? 1 : 0,
            ];
            for (var i = 0; i < features.Length; i++)
            {
                features[i] *= mask[i];
            }

            return features;
        }).ToArray();
    }

    private static float Share(int part, int whole) => whole == 0 ? 0 : (float)part / whole;

    /// <summary>A score against the query's candidates: the gap to the best one, and the 1-based rank among them.</summary>
    private sealed class Relative
    {
        private readonly float[] _descending;

        public Relative(IEnumerable<float> candidates) => _descending = candidates.OrderByDescending(s => s).ToArray();

        public float Gap(float score) => _descending.Length == 0 ? 0 : score - _descending[0];

        // Candidates scoring strictly higher, plus one: the same for a candidate and for any other product.
        public float Rank(float score)
        {
            var higher = 0;
            while (higher < _descending.Length && _descending[higher] > score)
            {
                higher++;
            }

            return higher + 1;
        }
    }
}
