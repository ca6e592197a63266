using SemanticMatch.Core.Catalogue;

namespace SemanticMatch.Core.Tests.Catalogue;

/// <summary>Labelled pair files read as they are: QBQTC's JSON Lines (query, title, label) and AFQMC's CSV (sentence1, sentence2, label).</summary>
public sealed class TextPairReaderTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ReadWithTexts_QbqtcJsonLines_GivesJudgmentsAndOneProductPerTitle()
    {
        var path = _files.Write("qbqtc.jsonl", """
            {"id": 0, "query": "小孩咳嗽感冒", "title": "小孩感冒过后久咳嗽该吃什么药", "label": "1"}
            {"id": 1, "query": "感冒药", "title": "小孩感冒过后久咳嗽该吃什么药", "label": "2"}
            {"id": 2, "query": "英雄大作战", "title": "英雄大作战v0.65无敌版", "label": "0"}
            """);

        var (judgments, products) = JudgmentReader.ReadWithTexts(path);

        var medicine = JudgmentLayout.IdOf("小孩感冒过后久咳嗽该吃什么药");
        Assert.Equal([new Judgment("小孩咳嗽感冒", medicine, 1), new Judgment("感冒药", medicine, 2),
            new Judgment("英雄大作战", JudgmentLayout.IdOf("英雄大作战v0.65无敌版"), 0)], judgments.Items);
        Assert.Equal([medicine, JudgmentLayout.IdOf("英雄大作战v0.65无敌版")], products.Select(p => p.Id));
        Assert.Equal("小孩感冒过后久咳嗽该吃什么药", products[0].Title);
        Assert.Matches("^t-[0-9a-f]{16}$", medicine);
    }

    [Fact]
    public void ReadWithTexts_AfqmcCsv_ReadsSentencePairs()
    {
        var path = _files.Write("afqmc.csv", "sentence1,sentence2,label\n花呗多少账单可以分期,花呗可以分期买几个手机,0\n借呗怎么还款,借呗如何还钱,1\n");

        var (judgments, products) = JudgmentReader.ReadWithTexts(path);

        Assert.Equal([0.0, 1.0], judgments.Items.Select(j => j.Relevance));
        Assert.Equal(["花呗可以分期买几个手机", "借呗如何还钱"], products.Select(p => p.Title));
    }

    [Fact]
    public void ReadWithTexts_RepeatedPairs_AreKeptAsExamples_AndReported()
    {
        var path = _files.Write("repeats.jsonl", """
            {"query": "促谈", "title": "促谈是什么意思", "label": "1"}
            {"query": "促谈", "title": "促谈是什么意思", "label": "1"}
            {"query": "促谈", "title": "促谈是什么意思", "label": "2"}
            """);

        var (judgments, products) = JudgmentReader.ReadWithTexts(path);

        Assert.Equal([1.0, 1.0, 2.0], judgments.Items.Select(j => j.Relevance));
        Assert.Single(products);
        Assert.Equal([$"{path}: 2 rows repeat an earlier (query, text) pair (1 with another label); each row is kept as an example"], judgments.Warnings);
    }

    [Fact]
    public void ReadWithTexts_BadLabel_NamesLineAndField()
    {
        var path = _files.Write("bad.jsonl", """
            {"query": "感冒药", "title": "感冒药说明书", "label": "1"}
            {"query": "感冒药", "title": "感冒药价格", "label": "high"}
            """);

        var error = Assert.Throws<InputFormatException>(() => JudgmentReader.ReadWithTexts(path));

        Assert.Equal($"{path}:2: field 'label': cannot parse label 'high' as a number (use '.' for decimals)", error.Message);
    }

    [Fact]
    public void TextLayoutOf_TellsTextPairsFromJudgmentsById()
    {
        var byId = _files.Write("j.csv", "query,product_id,relevance,title\ndrill,100,3,Drill\n");
        var texts = _files.Write("t.jsonl", """{"query": "drill", "title": "Cordless Drill", "label": 2}""");

        Assert.Null(JudgmentReader.TextLayoutOf(byId)); // a product_id column means judgments by id, whatever else is there
        Assert.Equal(JudgmentLayout.TextLayouts[0], JudgmentReader.TextLayoutOf(texts));
        Assert.Throws<InputFormatException>(() => JudgmentReader.ReadWithTexts(byId));
    }
}
