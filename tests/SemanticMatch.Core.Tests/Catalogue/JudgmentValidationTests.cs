using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Core.Tests.Catalogue;

/// <summary>Judgments that would silently corrupt NDCG: pairs judged twice, and relevance values off the scale.</summary>
public sealed class JudgmentValidationTests : IDisposable
{
    private static readonly HashSet<string> s_known = ["100", "101"];
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_SamePairTwice_NamesBothLines()
    {
        var path = _files.Write("j.csv", "query,product_id,relevance\nsaw,100,3\nsaw,101,1\nsaw,100,3\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:4: field 'product_id': duplicate judgment of product '100' for query 'saw' (first on line 2)", error.Message);
    }

    [Fact]
    public void Read_ContradictoryPair_NamesBothValues()
    {
        var path = _files.Write("j.jsonl",
            "{\"query\":\"saw\",\"product_id\":\"100\",\"relevance\":3}\n{\"query\":\"saw \",\"product_id\":\"100\",\"relevance\":1}\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:2: field 'product_id': judgment of product '100' for query 'saw' contradicts line 1 (relevance 1 here, 3 there)", error.Message);
    }

    [Fact]
    public void Read_SkippingBadRows_KeepsTheFirstOfADuplicate()
    {
        var path = _files.Write("j.csv", "query,product_id,relevance\nsaw,100,3\nsaw,100,1\n");

        var result = JudgmentReader.Read(path, s_known, new ReadOptions { SkipBadRows = true });

        Assert.Equal([new Judgment("saw", "100", 3)], result.Items);
        Assert.Equal(3, Assert.Single(result.Skipped).Line);
    }

    [Theory]
    [InlineData("1e9")]
    [InlineData("-1e9")]
    [InlineData("101")]
    public void Read_AbsurdRelevance_IsOutsideTheDefaultScale(string relevance)
    {
        var path = _files.Write("j.csv", $"query,product_id,relevance\nsaw,100,{relevance}\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:2: field 'relevance': relevance {relevance} is outside the scale [-100, 100]", error.Message);
    }

    [Theory]
    [InlineData("0.5", true)]
    [InlineData("1", false)]
    [InlineData("3", false)]
    [InlineData("3.5", true)]
    public void Read_GivenScale_RejectsValuesOutsideIt(string relevance, bool rejected)
    {
        var path = _files.Write("j.csv", $"query,product_id,relevance\nsaw,100,{relevance}\n");

        var read = () => JudgmentReader.Read(path, s_known, scale: new RelevanceScale(1, 3));

        if (rejected)
        {
            Assert.Contains("is outside the scale [1, 3]", Assert.Throws<InputFormatException>(read).Message);
        }
        else
        {
            Assert.Single(read().Items);
        }
    }
}
