using SemanticMatch.Search;

namespace SemanticMatch.Ranking.Tests;

public sealed class RankingFeaturesTests
{
    private static readonly HashSet<FeatureGroup> s_none = [];

    [Fact]
    public void LexicalAndNumberFeatures_CompareWordsPluralsAndNumbers()
    {
        var query = Query("cordless drill 18 v", ("a", "DeWalt 18 V Cordless Drills Kit"), ("b", "Ryobi 12 V cordless drill"), ("c", "garden hose"));

        var features = RankingFeatures.Of(query, query.Candidates, s_none).Select(Named).ToList();

        Assert.Equal(1, features[0]["coverage"]); // "drills" folds to "drill"
        Assert.Equal(1, features[0]["number_match"]);
        Assert.Equal(0, features[0]["number_conflict"]);
        Assert.Equal(1, features[0]["last_word"]);
        Assert.Equal(0, features[0]["first_word"]); // "dewalt" is not in the query
        Assert.Equal(6, features[0]["title_words"]);
        Assert.Equal(0, features[1]["number_match"]);
        Assert.Equal(1, features[1]["number_conflict"]); // 12 v against 18 v
        Assert.Equal(0.75f, features[1]["coverage"]);
        Assert.Equal(0, features[1]["phrase"]); // "cordless drill 18 v" is not in b, in that order
        Assert.Equal(0, features[2]["coverage"]);
        Assert.Equal(0, features[2]["number_conflict"]); // no number in the title: nothing contradicts
        Assert.All(features, f => Assert.Equal(1, f["query_numbers"]));
    }

    [Fact]
    public void Phrase_NeedsTheQueryWordsInOrder()
    {
        var query = Query("kitchen faucet", ("a", "Moen kitchen faucets, chrome"), ("b", "faucet for the kitchen"));

        var features = RankingFeatures.Of(query, query.Candidates, s_none).Select(Named).ToList();

        Assert.Equal(1, features[0]["phrase"]);
        Assert.Equal(1, features[0]["pair_coverage"]);
        Assert.Equal(0, features[1]["phrase"]);
        Assert.Equal(0, features[1]["pair_coverage"]);
        Assert.Equal(1, features[1]["all_words"]);
    }

    [Fact]
    public void ScoreFeatures_AreRelativeToTheQuerysCandidates()
    {
        var query = new QuerySignals("drill", "drill",
        [
            new("a", "drill", Keyword: 9, Dense: 0.8f, Cross: 2.5f, FirstStageRank: 1),
            new("b", "drill", Keyword: 3, Dense: 0.9f, Cross: 1.5f, FirstStageRank: 2),
        ]);
        var outsider = new CandidateSignals("z", "drill", Keyword: 5, Dense: 0.1f, Cross: 3f, FirstStageRank: 51);

        var features = RankingFeatures.Of(query, [.. query.Candidates, outsider], s_none).Select(Named).ToList();

        Assert.Equal([0f, -6f, -4f], features.Select(f => f["keyword_gap"]));
        Assert.Equal([1f, 2f, 2f], features.Select(f => f["keyword_rank"])); // the outsider ranks as it would among the candidates
        Assert.Equal([2f, 1f, 3f], features.Select(f => f["dense_rank"]));
        Assert.Equal([1f, 2f, 1f], features.Select(f => f["cross_rank"]));
        Assert.Equal(0.5f, features[2]["cross_gap"]);
        Assert.Equal(51, features[2]["first_stage_rank"]);
    }

    [Fact]
    public void ExcludedGroups_AreZero_AndOnlyThem()
    {
        var query = Query("18 v drill", ("a", "18 v drill"));
        var excluded = new HashSet<FeatureGroup> { FeatureGroup.Numbers, FeatureGroup.Keyword };

        var all = Named(RankingFeatures.Of(query, query.Candidates, s_none)[0]);
        var some = Named(RankingFeatures.Of(query, query.Candidates, excluded)[0]);

        foreach (var (name, group) in RankingFeatures.All)
        {
            Assert.Equal(excluded.Contains(group) ? 0 : all[name], some[name]);
        }

        Assert.Equal(1, all["number_match"]);
        Assert.Equal(2, all["keyword"]);
    }

    [Fact]
    public void Corrected_ComesFromTheQuery()
    {
        var corrected = new QuerySignals("cordles dril", "cordless drill", [new("a", "drill", 1, 0.5f, null, 1)]);

        Assert.Equal(1, Named(RankingFeatures.Of(corrected, corrected.Candidates, s_none)[0])["corrected"]);
        Assert.Equal(0, Named(RankingFeatures.Of(corrected, corrected.Candidates, s_none)[0])["cross"]); // no cross-encoder: 0
    }

    private static QuerySignals Query(string query, params (string Id, string Title)[] titles) =>
        new(query, query, titles.Select((t, i) => new CandidateSignals(t.Id, t.Title, Keyword: 2 - i, Dense: 0.5f, Cross: null, FirstStageRank: i + 1)).ToList());

    private static Dictionary<string, float> Named(float[] features) =>
        RankingFeatures.All.Select((f, i) => (f.Name, Value: features[i])).ToDictionary(x => x.Name, x => x.Value);
}
