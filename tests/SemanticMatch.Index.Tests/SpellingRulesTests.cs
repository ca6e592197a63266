using SemanticMatch.Index.Keyword;
using SemanticMatch.Core.Keyword;

namespace SemanticMatch.Index.Tests;

public sealed class SpellingRulesTests
{
    [Theory]
    [InlineData("drill", "dril", 1)]
    [InlineData("hose", "hoes", 1)] // a transposition is one edit
    [InlineData("faucet", "fuacte", 2)]
    [InlineData("abc", "", 3)]
    public void Distance_CountsInsertionsDeletionsSubstitutionsAndTranspositions(string a, string b, int expected) =>
        Assert.Equal(expected, SpellingRules.Distance(a, b));

    [Fact]
    public void Best_PrefersFewerEdits_ThenMoreRecords_ThenOrdinalOrder_AndKeepsTheFirstLetter()
    {
        Assert.Equal("drill", SpellingRules.Best("dril", [("drills", 50), ("drill", 3), ("grill", 90)]));
        Assert.Equal("bolt", SpellingRules.Best("boltt", [("bolt", 9), ("bolts", 4)]));
        Assert.Equal("cart", SpellingRules.Best("cazt", [("cast", 2), ("cart", 2)]));
        Assert.Null(SpellingRules.Best("dril", [("grill", 90), ("krill", 5)]));
        Assert.Null(SpellingRules.Best("gardxxn", [("garden", 10)])); // 7 letters: one edit only
        Assert.Equal("extension", SpellingRules.Best("extnsoin", [("extension", 10)])); // 8+ letters: two edits
        Assert.Null(SpellingRules.Best("drill", [("drill", 0), ("drills", 0)])); // no record holds them any more
    }

    [Fact]
    public void CorrectableWords_AreLettersOnly_FourOrMore_LowerCased_Once()
    {
        Assert.Equal(["cordles", "dril"], SpellingRules.CorrectableWords("Cordles DRIL 20v dril abc x2yz"));
        Assert.Equal("cordless drill 20v", SpellingRules.Apply("Cordles dril 20v", new Dictionary<string, string> { ["cordles"] = "cordless", ["dril"] = "drill" }));
    }
}
