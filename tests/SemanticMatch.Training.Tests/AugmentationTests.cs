using SemanticMatch.Core.Catalogue;
using SemanticMatch.Training.Augmenting;

namespace SemanticMatch.Training.Tests;

public sealed class AugmentationTests
{
    [Fact]
    public void Typo_ChangesOneLongWordByOneEdit_KeepingItsFirstLetter()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var typo = QueryRewrites.Typo("1/2 in. copper pipe fitting", new Random(seed))!;

            var (before, after) = ("1/2 in. copper pipe fitting".Split(' '), typo.Split(' '));
            var changed = before.Zip(after).Where(w => w.First != w.Second).ToList();
            Assert.Single(changed);
            Assert.Contains(changed[0].First, new[] { "copper", "pipe", "fitting" });
            Assert.Equal(changed[0].First[0], changed[0].Second[0]);
            Assert.InRange(changed[0].Second.Length - changed[0].First.Length, -1, 1);
        }
    }

    [Fact]
    public void Typo_WithoutAWordOfFourLetters_DoesNotApply() => Assert.Null(QueryRewrites.Typo("2x4 led 60w", new Random(1)));

    [Theory]
    [InlineData("1/2 in. copper pipe", new[] { "1/2 in copper pipe", "1/2 inch copper pipe", "1/2 inches copper pipe", "1/2 \" copper pipe" })]
    [InlineData("5 gallon bucket", new[] { "5 gal. bucket", "5 gal bucket", "5 gallons bucket" })]
    [InlineData("12v battery", new[] { "12 volt battery", "12 volts battery" })]
    public void Units_RewritesTheUnitAnotherWay(string query, string[] allowed)
    {
        var seen = Enumerable.Range(0, 40).Select(seed => QueryRewrites.Units(query, new Random(seed))).ToHashSet();

        Assert.Subset(allowed.ToHashSet<string?>(), seen);
        Assert.True(seen.Count >= 2, $"only {string.Join(" | ", seen)}");
    }

    [Fact]
    public void Units_LeaveWordsThatOnlyLookLikeUnits() =>
        Assert.Null(QueryRewrites.Units("w in the garden", new Random(1))); // "w" and "in" need a number before them

    [Fact]
    public void Truncate_DropsTheFirstOrLastWord_OfThreeWordsOrMore()
    {
        var seen = Enumerable.Range(0, 20).Select(seed => QueryRewrites.Truncate("cordless hammer drill", new Random(seed))).ToHashSet();

        Assert.Equal(new HashSet<string?> { "hammer drill", "cordless hammer" }, seen);
        Assert.Null(QueryRewrites.Truncate("hammer drill", new Random(1)));
    }

    [Fact]
    public void Mine_FindsTheAlikeTitleWordThatStandsInForAMissingQueryWord()
    {
        var titles = new Dictionary<string, string>();
        var judgments = new List<Judgment>();
        for (var i = 0; i < 6; i++)
        {
            titles[$"f{i}"] = $"Brand{i} {20 + i} cu. ft. Refrigerator in White";
            judgments.Add(new Judgment($"fridge model {i}", $"f{i}", 3));
        }

        // Generic words fill the titles too, so "white" is in every title and cannot be a synonym.
        for (var i = 0; i < 200; i++)
        {
            titles[$"g{i}"] = $"Item{i} Hose in White";
            judgments.Add(new Judgment($"garden hose {i}", $"g{i}", 3));
        }

        // "refrigerator" also stands in for "model" every time; the encoder finds only "fridge" and "refrigerator" alike.
        float[] Similarity(IReadOnlyList<(string A, string B)> pairs) => pairs.Select(p => p is ("fridge", "refrigerator") ? 0.8f : 0.1f).ToArray();

        var synonyms = SynonymMining.Mine(judgments, titles, threshold: 2.5, Similarity);

        Assert.Equal("refrigerator", synonyms["fridge"]);
        Assert.Single(synonyms);
    }

    [Fact]
    public void Augment_CopiesEveryJudgmentOfARewrittenQuery_AtTheSameRelevance_Seeded()
    {
        Judgment[] train =
        [
            new("cordless hammer drill", "p1", 3),
            new("cordless hammer drill", "p2", 1.67),
            new("copper pipe fitting", "p3", 2.33),
        ];

        var (added, report) = QueryAugmenter.Augment(train, [Augmentation.Truncate], rate: 1, new Dictionary<string, string>(), seed: 5);
        var again = QueryAugmenter.Augment(train, [Augmentation.Truncate], rate: 1, new Dictionary<string, string>(), seed: 5).Added;

        Assert.Equal(added, again);
        Assert.Equal(new AugmentationReport(Augmentation.Truncate, 2, 3), report.Single());
        var drill = added.Where(j => j.ProductId is "p1" or "p2").ToList();
        Assert.Single(drill.Select(j => j.Query).Distinct());
        Assert.Equal([3, 1.67], drill.Select(j => j.Relevance));
    }

    [Fact]
    public void Augment_NeverRewritesIntoAQueryTheTrainingSetHas()
    {
        Judgment[] train = [new("hammer drill bit", "p1", 3), new("hammer drill", "p2", 1), new("drill bit", "p3", 1)];

        var (added, _) = QueryAugmenter.Augment(train, [Augmentation.Truncate], rate: 1, new Dictionary<string, string>(), seed: 1);

        Assert.Empty(added); // both truncations of "hammer drill bit" are judged queries already
    }

    [Fact]
    public void Augment_AtRateZeroPointOne_RewritesAboutATenth()
    {
        var train = Enumerable.Range(0, 1000).Select(i => new Judgment($"query {i} long words", $"p{i}", 2)).ToList();

        var (_, report) = QueryAugmenter.Augment(train, [Augmentation.Truncate], rate: 0.1, new Dictionary<string, string>(), seed: 3);

        Assert.InRange(report.Single().Queries, 70, 130);
    }
}
