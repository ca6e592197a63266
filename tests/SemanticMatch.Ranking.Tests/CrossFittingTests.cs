using SemanticMatch.Ranking.Training;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Ranking.Tests;

/// <summary>The check that a cross-fitted ranker's train judgments and parts hold different queries.</summary>
public sealed class CrossFittingTests
{
    [Fact]
    public void CheckDisjoint_AcceptsSetsOfDifferentQueries()
    {
        var train = Judgments(("drill", "p1"), ("drill", "p2"), ("hose", "p3"));
        var part = Judgments(("saw", "p1"), ("nails", "p4"));

        CrossFitting.CheckDisjoint([("--train", train), ("--part 1", part)]);
    }

    [Fact]
    public void CheckDisjoint_NamesTheFirstSharedQueryAndBothSets()
    {
        var train = Judgments(("drill", "p1"), ("hose", "p3"));
        var first = Judgments(("saw", "p1"));
        var second = Judgments(("nails", "p4"), ("hose", "p5"), ("drill", "p2"));

        var error = Assert.Throws<InvalidRequestException>(() =>
            CrossFitting.CheckDisjoint([("--train (t.csv)", train), ("--part 1 (a.csv)", first), ("--part 2 (b.csv)", second)]));

        Assert.Equal("query 'hose' is in both --train (t.csv) and --part 2 (b.csv) (2 shared queries): the train judgments and each part must hold different queries",
            error.Message);
    }

    private static List<Judgment> Judgments(params (string Query, string Product)[] pairs) =>
        [.. pairs.Select(p => new Judgment(p.Query, p.Product, 2))];
}
