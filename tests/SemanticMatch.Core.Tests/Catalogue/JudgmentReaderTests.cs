using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Core.Tests.Catalogue;

public sealed class JudgmentReaderTests : IDisposable
{
    private static readonly HashSet<string> s_known = ["100", "101"];
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_ParsesGradedRelevanceInInvariantCulture()
    {
        var path = _files.Write("j.csv", "query,product_id,relevance\n\"drill, cordless\",100,2.33\nsaw,101,3\n");

        var judgments = JudgmentReader.Read(path, s_known).Items;

        Assert.Equal([new Judgment("drill, cordless", "100", 2.33), new Judgment("saw", "101", 3)], judgments);
    }

    [Theory]
    [InlineData("high")]
    [InlineData("2,5")]
    [InlineData("NaN")]
    [InlineData("")]
    public void Read_UnparseableRelevance_NamesValueLineAndField(string relevance)
    {
        var path = _files.Write("j.csv", $"query,product_id,relevance\nsaw,101,3\nsaw,100,\"{relevance}\"\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:3: field 'relevance': cannot parse relevance '{relevance}' as a number (use '.' for decimals)", error.Message);
    }

    [Fact]
    public void Read_UnknownProduct_NamesId()
    {
        var path = _files.Write("j.csv", "query,product_id,relevance\nsaw,999,3\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:2: field 'product_id': unknown product '999': not in the products file", error.Message);
    }

    [Fact]
    public void Read_MissingRelevanceColumn_NamesIt()
    {
        var path = _files.Write("j.csv", "query,product_id\nsaw,100\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal("relevance", error.Field);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Read_EmptyQuery_IsRejected()
    {
        var path = _files.Write("j.jsonl", "{\"query\": \" \", \"product_id\": \"100\", \"relevance\": 2}\n");

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.Read(path, s_known));

        Assert.Equal($"{path}:1: field 'query': empty query", error.Message);
    }

    [Fact]
    public void Read_SkipBadRows_CountsSkipped()
    {
        var path = _files.Write("j.csv", "query,product_id,relevance\nsaw,100,x\nsaw,101,2\nsaw,555,1\n");

        var result = JudgmentReader.Read(path, s_known, new ReadOptions { SkipBadRows = true });

        Assert.Single(result.Items);
        Assert.Equal(2, result.Skipped.Count);
    }
}
