namespace SemanticMatch.Onnx.Tests;

/// <summary>Expected tokens are those of Hugging Face's BertTokenizer (bert-base-uncased rules) on the bundled vocab.</summary>
[Collection(BundledModelCollection.Name)]
public sealed class WordPieceTokenizerTests(BundledModelFixture fixture)
{
    [Theory]
    [InlineData("Café crème", "cafe cr ##eme")]
    [InlineData("naïve RÉSUMÉ", "naive resume")]
    [InlineData("4K TV", "4 ##k tv")]
    [InlineData("1/2 in. pipe", "1 / 2 in . pipe")]
    [InlineData("$129 drill", "$ 129 drill")]
    [InlineData("tab\tseparated\nlines", "tab separated lines")]
    [InlineData("cordless drill", "cord ##less drill")]
    [InlineData("中文", "中 文")]
    [InlineData("don't", "don ' t")]
    public void Tokenize_MatchesHuggingFaceBertUncased(string text, string expected)
    {
        var tokens = fixture.Tokenizer.Tokenize(text);

        Assert.Equal(["[CLS]", .. expected.Split(' '), "[SEP]"], tokens);
    }

    [Theory]
    [InlineData("iPhone15手机壳", "iphone ##15 手 [UNK] [UNK]")] // CJK split from the Latin word; 机 and 壳 are not in the vocabulary
    [InlineData("中文 drill", "中 文 drill")]
    [InlineData("ｉＰｈｏｎｅ", "[UNK]")] // full-width forms are not in a BERT vocabulary: the engine folds them (NFKC) first
    public void Tokenize_MixedScript_SplitsEachIdeograph(string text, string expected)
    {
        Assert.Equal(["[CLS]", .. expected.Split(' '), "[SEP]"], fixture.Tokenizer.Tokenize(text));
    }

    [Fact]
    public void FullWidthForms_AreFoldedBeforeTokenizing()
    {
        var folded = Core.Text.TextNormalizer.Default.Normalize("ｉＰｈｏｎｅ１５ 手机壳，６.１寸");

        Assert.Equal("iPhone15 手机壳,6.1寸", folded);
        Assert.Equal(["[CLS]", "iphone", "##15", "手", "[UNK]", "[UNK]", ",", "6", ".", "1", "[UNK]", "[SEP]"], fixture.Tokenizer.Tokenize(folded));
    }

    [Fact]
    public void Tokenize_CharactersMissingFromVocab_BecomeUnk()
    {
        var tokens = fixture.Tokenizer.Tokenize("测试");

        Assert.Equal(["[CLS]", "[UNK]", "[UNK]", "[SEP]"], tokens);
    }

    [Fact]
    public void Encode_Truncates_AndStillEndsWithSep()
    {
        var ids = fixture.Tokenizer.Encode("one two three four five six seven", maxLength: 5);

        Assert.Equal(5, ids.Length);
        Assert.Equal("[SEP]", fixture.Tokenizer.Vocabulary[(int)ids[^1]]);
    }

    [Fact]
    public void Encode_ShortAfterLongCall_IsNotPaddedToTheEarlierLength()
    {
        // FastBertTokenizer's string overload keeps its first buffer size; ours must not.
        fixture.Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("word", 200)), maxLength: 256);

        var ids = fixture.Tokenizer.Encode("drill", maxLength: 16);

        Assert.Equal(3, ids.Length);
    }
}
