using SemanticMatch.Core.Text;
using SemanticMatch.Index.Keyword;

namespace SemanticMatch.Index.Tests;

/// <summary>Chinese keyword search: SmartCn word segmentation, mixed Chinese/Latin/number text, and per-text routing (auto).</summary>
public sealed class ChineseKeywordTests
{
    private static Bm25Index Build(TextLanguage language)
    {
        var index = Bm25Index.CreateInMemory(language);
        index.Upsert("case", "苹果 iPhone 15 手机壳 透明 防摔 6.1寸");
        index.Upsert("charger", "华为 快速 充电器 65W");
        index.Upsert("kettle", "不锈钢 电热水壶 家用 1.7升");
        index.Upsert("rice", "智能 电饭煲 家用 4升");
        index.Upsert("drill", "Cordless Drill 20V");
        index.Commit();
        return index;
    }

    [Theory]
    [InlineData(TextLanguage.Auto)]
    [InlineData(TextLanguage.Zh)]
    public void ChineseQueries_FindTheProductByItsWords(TextLanguage language)
    {
        using var index = Build(language);

        Assert.Equal("case", index.Search("手机壳", 5)[0].ProductId);
        Assert.Equal("kettle", index.Search("电热水壶", 5)[0].ProductId);
        Assert.Equal("rice", index.Search("家用电饭煲", 5)[0].ProductId);
        Assert.Equal("charger", index.Search("充电器", 5)[0].ProductId);
    }

    [Fact]
    public void MixedScriptQueries_MatchLatinWordsAndNumbersToo()
    {
        using var index = Build(TextLanguage.Auto);

        Assert.Equal("case", index.Search("iPhone15 手机壳", 5)[0].ProductId);
        Assert.Equal("charger", index.Search("65w 充电器", 5)[0].ProductId);
        Assert.Equal("drill", index.Search("cordless drills", 5)[0].ProductId); // English texts keep the English path (stemming)
    }

    [Fact]
    public void EnglishOnly_DoesNotSegmentChinese()
    {
        using var index = Build(TextLanguage.En);

        // The English analyzer makes each ideograph a term, so a two-character word matches every text sharing a character.
        var hits = index.Search("电热", 5).Select(h => h.ProductId).ToList();
        Assert.Contains("kettle", hits);
        Assert.Contains("rice", hits); // 电 of 电饭煲
    }

    [Fact]
    public void ExplainTerms_NamesTheSegmentedWords()
    {
        using var index = Build(TextLanguage.Zh);

        var terms = index.ExplainTerms("透明手机壳", "case");

        // SmartCn's segmentation (its dictionary's, the same for products and queries), not characters or the whole run.
        Assert.Equal(["透明", "手", "机壳"], terms.Select(t => t.Term));
        Assert.Equal(index.Search("透明手机壳", 1)[0].Score, terms.Sum(t => t.Contribution), 1e-4);
    }

    [Fact]
    public void SpellingCorrection_LeavesChineseAlone()
    {
        using var index = Build(TextLanguage.Auto);

        Assert.Equal("电热水壶电饭煲 cordless", index.CorrectSpelling("电热水壶电饭煲 cordles"));
    }
}
