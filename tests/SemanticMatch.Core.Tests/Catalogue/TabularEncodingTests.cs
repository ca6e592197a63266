using System.Text;
using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Core.Tests.Catalogue;

/// <summary>Files that parse "successfully" into the wrong thing: unclosed quotes, other separators, other encodings.</summary>
public sealed class TabularEncodingTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_QuoteLeftOpenAtTheEnd_NamesItsLine()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,Drill\n2,\"Saw\n3,Hammer\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal($"{path}:3: a quote '\"' opened here is never closed: the rest of the file would be one field", error.Message);
    }

    [Fact]
    public void Read_QuotedNewlinesAndEscapedQuotes_AreNotAnUnclosedQuote()
    {
        var path = _files.Write("p.csv", "product_id,title\n1,\"Drill\n20V \"\"Max\"\"\"\n2,Saw\n");

        var products = ProductReader.Read(path).Items;

        Assert.Equal(["Drill\n20V \"Max\"", "Saw"], products.Select(p => p.Title));
    }

    [Theory]
    [InlineData(';', "';'")]
    [InlineData('\t', "tab")]
    public void Read_OtherSeparator_SaysWhichItLooksLike(char separator, string named)
    {
        var path = _files.Write("p.csv", $"product_id{separator}title\n1{separator}Drill\n");

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.EndsWith($"it looks {named}-separated: use commas", error.Message);
    }

    [Fact]
    public void Read_Utf16WithoutBom_SaysSo()
    {
        var path = Path.Combine(_files.Root, "p.csv");
        File.WriteAllBytes(path, new UnicodeEncoding(bigEndian: false, byteOrderMark: false).GetBytes("product_id,title\n1,Drill\n"));

        var error = Assert.Throws<InputFormatException>(() => ProductReader.Read(path));

        Assert.Equal($"{path}: looks like UTF-16; save it as UTF-8", error.Message);
    }

    [Fact]
    public void Read_Latin1Bytes_AreCountedInAWarning()
    {
        var path = Path.Combine(_files.Root, "p.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("product_id,title\n1,Drill\n2,30\u00b0 elbow\n3,Saw\n4,Caf\u00e9 table\n"));

        var result = ProductReader.Read(path);

        Assert.Equal(4, result.Items.Count);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith($"{path}: 2 line(s) hold bytes that are not UTF-8 (first on line 3)", warning);
    }

    [Fact]
    public void Read_Utf8WithBom_HasNoWarningAndKeepsTheHeader()
    {
        var path = Path.Combine(_files.Root, "p.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("product_id,title\n1,无线电钻\n")]);

        var result = ProductReader.Read(path);

        Assert.Equal("无线电钻", Assert.Single(result.Items).Title);
        Assert.Empty(result.Warnings);
    }
}
