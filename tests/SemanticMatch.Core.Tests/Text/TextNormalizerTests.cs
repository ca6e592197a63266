using SemanticMatch.Core.Text;

namespace SemanticMatch.Core.Tests.Text;

public sealed class TextNormalizerTests
{
    private static readonly TextNormalizer s_default = TextNormalizer.Default;

    [Theory]
    [InlineData("1/2 in. copper pipe", "0.5 inch copper pipe")]
    [InlineData("0.5 inch copper pipe", "0.5 inch copper pipe")]
    [InlineData("1-1/2 in. PVC", "1.5 inch PVC")]
    [InlineData("3/4\" plywood", "0.75 inch plywood")]
    [InlineData("25 cu. ft. refrigerator", "25 cubic feet refrigerator")]
    [InlineData("25 cubic feet refrigerator", "25 cubic feet refrigerator")]
    [InlineData("100 sq. ft. roll", "100 square feet roll")]
    [InlineData("2x4 stud", "2 x 4 stud")]
    [InlineData("36 in.x 80 in. door", "36 inch x 80 inch door")]
    [InlineData("6 ft. fence", "6 feet fence")]
    [InlineData("6' fence", "6 feet fence")]
    [InlineData("5 gal. bucket", "5 gallon bucket")]
    [InlineData("50 lb. bag", "50 pound bag")]
    [InlineData("12 oz. can", "12 ounce can")]
    [InlineData("20V MAX drill", "20 volt MAX drill")]
    [InlineData("60W bulb", "60 watt bulb")]
    [InlineData("45° elbow", "45 degree elbow")]
    public void Normalize_Units_QueryAndProductSpellingsMeet(string input, string expected) =>
        Assert.Equal(expected, s_default.Normalize(input));

    [Theory]
    [InlineData("Faucet in Chrome", "Faucet in Chrome")]
    [InlineData("2 in 1 tool", "2 in 1 tool")]
    [InlineData("Model 2021/22", "Model 2021/22")]
    public void Normalize_Units_LeavesWordsThatOnlyLookLikeUnits(string input, string expected) =>
        Assert.Equal(expected, s_default.Normalize(input));

    [Fact]
    public void Normalize_StripsHtmlAndDecodesEntities()
    {
        var text = "<p>Durable &amp; quiet</p><ul><li>Fits 1/2&nbsp;in. pipe</li></ul>";

        Assert.Equal("Durable & quiet Fits 0.5 inch pipe", s_default.Normalize(text));
    }

    [Fact]
    public void Normalize_UnicodeForms_AreUnified()
    {
        Assert.Equal("0.5 inch TV 4K", s_default.Normalize("½ in. ＴＶ 4K"));
        Assert.Equal("2 x 4", s_default.Normalize("2×4"));
    }

    [Fact]
    public void Normalize_CollapsesTabsNewlinesAndControlCharacters()
    {
        Assert.Equal("a b c d", s_default.Normalize(" a\tb\r\n c\u0007d "));
    }

    [Fact]
    public void Normalize_WithStepsOff_OnlyCollapsesWhitespace()
    {
        var none = new TextNormalizer(TextNormalizationOptions.None);

        Assert.Equal("<b>1/2 in.</b> x", none.Normalize("<b>1/2  in.</b>\tx"));
    }

    [Fact]
    public void Normalize_IsIdempotent()
    {
        var inputs = new[] { "1/2 in. pipe", "<p>2x4 &amp; 6' boards</p>", "25 cu. ft. fridge", "45° elbow 3/4\"" };
        foreach (var input in inputs)
        {
            var once = s_default.Normalize(input);
            Assert.Equal(once, s_default.Normalize(once));
        }
    }

    [Fact]
    public void Normalize_Null_IsEmpty() => Assert.Equal(string.Empty, s_default.Normalize(null));
}
