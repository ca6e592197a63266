using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

/// <summary>Adding CJK characters to the real MiniLM: vocabulary, ONNX graph and config move together.</summary>
[Collection(BundledModelCollection.Name)]
public sealed class VocabularyExtensionTests(BundledModelFixture fixture) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-vocab-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void MissingCjkCharacters_AreTheIdeographsReadAsUnk_MostFrequentFirst()
    {
        // 中 and 文 are in MiniLM's vocabulary; 机 (3 times) and 壳 (once) are not; Latin letters and digits are never added.
        var missing = VocabularyExtension.MissingCjkCharacters(fixture.Tokenizer, ["iPhone15 手机壳", "中文 手机", "机"]);

        Assert.Equal(["机", "壳"], missing);
        Assert.Equal(["机"], VocabularyExtension.MissingCjkCharacters(fixture.Tokenizer, ["手机壳", "机"], minCount: 2));
    }

    [Fact]
    public void Extend_GivesEachAddedCharacterItsOwnToken_AndTheGraphTheRows()
    {
        var extended = VocabularyExtension.Extend(fixture.Model, ["机", "壳"], Path.Combine(_root, "random"), NewTokenInit.Random, seed: 7);
        var tokenizer = WordPieceTokenizer.Load(extended.Model.VocabPath, lowerCase: true);
        using var encoder = OnnxEncoder.Create(extended.Model);

        Assert.Equal(["[CLS]", "iphone", "##15", "手", "机", "壳", "[SEP]"], tokenizer.Tokenize("iPhone15手机壳"));
        Assert.Equal(fixture.Tokenizer.Vocabulary.Count, tokenizer.Encode("机", 3)[1]); // appended: existing ids keep their meaning
        Assert.Equal(new VocabularyRecord(fixture.Tokenizer.Vocabulary.Count + 2, extended.Model.Config.Vocabulary!.Sha256, 2), extended.Model.Config.Vocabulary);
        Assert.Equal("all-MiniLM-L6-v2-cjk", extended.Model.Config.Name);

        // Random rows are distinct: the two characters now give different sentence vectors, unlike two [UNK]s.
        var vectors = encoder.Encode(["手机", "手壳"], Core.TextRole.Document);
        var before = fixture.Encoder.Encode(["手机", "手壳"], Core.TextRole.Document);
        Assert.Equal(1f, Core.Similarity.VectorSimilarity.Cosine(before[0], before[1]), 1e-5f);
        Assert.True(Core.Similarity.VectorSimilarity.Cosine(vectors[0], vectors[1]) < 0.99f);
    }

    [Fact]
    public void Extend_WithUnkRows_EncodesEveryTextAsTheBaseModelDid()
    {
        var extended = VocabularyExtension.Extend(fixture.Model, ["机", "壳"], Path.Combine(_root, "unk"), NewTokenInit.Unk, seed: 7);
        using var encoder = OnnxEncoder.Create(extended.Model);
        string[] texts = ["iPhone15 手机壳", "cordless drill"];

        var after = encoder.Encode(texts, Core.TextRole.Document);
        var before = fixture.Encoder.Encode(texts, Core.TextRole.Document);

        Assert.All(after.Zip(before), pair => Assert.Equal(1f, Core.Similarity.VectorSimilarity.Cosine(pair.First, pair.Second), 1e-5f));
    }

    [Fact]
    public void Open_RefusesAVocabularyOtherThanTheOneTheWeightsWereBuiltFor()
    {
        var extended = VocabularyExtension.Extend(fixture.Model, ["机"], Path.Combine(_root, "edited"), NewTokenInit.Unk, seed: 7);
        File.AppendAllLines(extended.Model.VocabPath, ["壳"]);

        var error = Assert.Throws<ModelFormatException>(() => ModelDirectory.Open(extended.Model.Path));

        Assert.Contains($"vocab.txt ({fixture.Tokenizer.Vocabulary.Count + 2} tokens) is not the vocabulary the weights were built for ({fixture.Tokenizer.Vocabulary.Count + 1} tokens", error.Message);
    }

    [Fact]
    public void Extend_WithATokenAlreadyInTheVocabulary_IsRefused()
    {
        var error = Assert.Throws<ModelFormatException>(() =>
            VocabularyExtension.Extend(fixture.Model, ["中"], Path.Combine(_root, "dup"), NewTokenInit.Random, seed: 7));

        Assert.Contains("token '中' is already in", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "dup")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
