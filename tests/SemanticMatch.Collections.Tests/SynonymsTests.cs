using SemanticMatch.Core;
using SemanticMatch.Search;

namespace SemanticMatch.Collections.Tests;

/// <summary>What synonyms add to a query, how they are checked and how they are stored.</summary>
public sealed class SynonymsTests
{
    private static readonly Synonyms s_synonyms = Synonyms.Of([["couch", "sofa", "love seat"]], [("phone", ["smartphone", "mobile phone"])], ProductText.Default);

    [Fact]
    public void Uses_AddTheOtherEntriesOfAGroup_AndTheSynonymsOfAnInput_EachNamingWhatItStandsFor()
    {
        Assert.Equal([new SynonymUse("sofa", "couch"), new SynonymUse("love seat", "couch"), new SynonymUse("smartphone", "phone"), new SynonymUse("mobile phone", "phone")],
            s_synonyms.Uses("grey couch phone"));
        Assert.Equal("love seat couch sofa", s_synonyms.Expand("love seat"));
        Assert.Equal("smartphone", s_synonyms.Expand("smartphone")); // one way: the synonym does not search the input
        Assert.Equal("mobile phone smartphone", s_synonyms.Expand("mobile phone")); // but an entry holding the input does
    }

    [Fact]
    public void Of_NamesTheEntryThatIsWrong()
    {
        var empty = Assert.Throws<InvalidRequestException>(() => Synonyms.Of([], [("phone", ["ok", " "])], ProductText.Default));
        var none = Assert.Throws<InvalidRequestException>(() => Synonyms.Of([["a", "b"]], [("phone", [])], ProductText.Default));
        var single = Assert.Throws<InvalidRequestException>(() => Synonyms.Of([["a"]], null, ProductText.Default));

        Assert.StartsWith("oneWay[0].synonyms[1]: give a word or phrase", empty.Message, StringComparison.Ordinal);
        Assert.StartsWith("oneWay[0].synonyms: give 1 to 50 words or phrases 'phone' should also search", none.Message, StringComparison.Ordinal);
        Assert.StartsWith("synonyms[0]: give 2 to 50", single.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_ReadsWhatToJsonWrote_AndTheBareListOfGroupsOlderVersionsWrote()
    {
        var again = Synonyms.FromJson(s_synonyms.ToJson());
        var older = Synonyms.FromJson("""[["couch", "sofa"]]""");

        Assert.Equal(s_synonyms.Expand("grey couch phone"), again.Expand("grey couch phone"));
        Assert.Equal(["phone"], again.OneWay.Select(o => o.Input));
        Assert.Equal([["couch", "sofa"]], older.Groups);
        Assert.Empty(older.OneWay);
    }
}
