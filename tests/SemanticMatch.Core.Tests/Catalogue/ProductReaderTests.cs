using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Core.Tests.Catalogue;

public sealed class ProductReaderTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_QuotedFieldsWithCommasQuotesAndNewlines_AreKept()
    {
        var path = _files.Write("p.csv",
            "product_id,title,description\n" +
            "1,\"Drill, cordless\",\"He said \"\"fast\"\"\nsecond line\"\n" +
            "2,Faucet,plain\n");

        var products = ProductReader.Read(path).Items;

        Assert.Equal(2, products.Count);
        Assert.Equal("Drill, cordless", products[0].Title);
        Assert.Equal("He said \"fast\"\nsecond line", products[0].Field("description"));
        Assert.Equal("2", products[1].Id);
    }

    [Fact]
    public void Read_ExtraColumns_BecomeFields_AndHeaderIsCaseInsensitive()
    {
        var path = _files.Write("p.csv", "Product_ID,TITLE,Brand\n7,Hammer,Ironbark\n");

        var product = Assert.Single(ProductReader.Read(path).Items);

        Assert.Equal("Ironbark", product.Field("brand"));
        Assert.Equal(string.Empty, product.Field("description"));
    }

    [Fact]
    public void Read_JsonLines_ReadsObjects()
    {
        var path = _files.Write("p.jsonl", "{\"product_id\": \"a\", \"title\": \"Saw\", \"price\": 12.5}\n\n{\"product_id\": \"b\", \"title\": \"Nail\"}\n");

        var products = ProductReader.Read(path).Items;

        Assert.Equal(["a", "b"], products.Select(p => p.Id));
        Assert.Equal("12.5", products[0].Field("price"));
    }

    [Fact]
    public void Read_MissingColumn_NamesFileLineAndColumn()
    {
        var path = _files.Write("p.csv", "product_id,name\n1,Drill\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal($"{path}:1: field 'title': missing column (header has: product_id,name)", error.Message);
    }

    [Fact]
    public void Read_EmptyId_NamesLineAndField()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,Drill\n  ,Saw\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal($"{path}:3: field 'product_id': empty product id", error.Message);
    }

    [Fact]
    public void Read_DuplicateId_NamesBothLines()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,Drill\n2,Saw\n1,Hammer\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal($"{path}:4: field 'product_id': duplicate product id '1' (first seen on line 2)", error.Message);
    }

    [Fact]
    public void Read_LineNumbers_CountNewlinesInsideQuotes()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,\"two\nlines\"\n1,dup\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void Read_WrongColumnCount_IsReported()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,Drill,extra\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Contains(":2: expected 2 columns (product_id,title), found 3", error.Message);
    }

    [Fact]
    public void Read_InvalidJsonLine_NamesLine()
    {
        var path = _files.Write("p.jsonl", "{\"product_id\": \"a\", \"title\": \"Saw\"}\n{not json\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal(2, error.Line);
        Assert.StartsWith("invalid JSON", error.Problem);
    }

    [Fact]
    public void Read_SkipBadRows_KeepsGoodRowsAndReportsEachBadOne()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,Drill\n,NoId\n1,Dup\n2,Saw\n");

        var result = ProductReader.Read(path, new ReadOptions { SkipBadRows = true });

        Assert.Equal(["1", "2"], result.Items.Select(p => p.Id));
        Assert.Equal([3, 4], result.Skipped.Select(s => s.Line));
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(Path.Combine(_files.Root, "nope.csv")));

        Assert.EndsWith("nope.csv: file not found", error.Message);
    }
}
