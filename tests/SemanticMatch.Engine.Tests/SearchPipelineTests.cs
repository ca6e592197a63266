using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Tests;

/// <summary>The pipeline's use of the retrieval seam: each list read once, the query embedded once, cancellation honoured between stages.</summary>
public sealed class SearchPipelineTests : IDisposable
{
    private static readonly Product[] s_products =
    [
        new("p1", "Cordless Drill Kit"),
        new("p2", "Drill Bit Set"),
        new("p3", "Claw Hammer"),
        new("p4", "Cordless Hammer Drill"),
        new("p5", "Garden Hose"),
    ];

    private readonly HashingEncoder _encoder = new();
    private readonly CatalogueIndex _index;

    public SearchPipelineTests()
    {
        _index = CatalogueIndex.Build(s_products, CatalogueIndex.Embed(s_products, _encoder, ProductText.Default), _encoder, new CatalogueIndexOptions());
        _encoder.QueriesSeen.Clear();
    }

    public void Dispose() => _index.Dispose();

    [Theory]
    [InlineData(SearchMethod.Hybrid)]
    [InlineData(SearchMethod.Bm25)]
    [InlineData(SearchMethod.Dense)]
    public async Task ExplainedSearch_RetrievesEachListAndEncodesTheQueryOnce(SearchMethod method)
    {
        var retrieval = new CountingRetrieval(new IndexRetrieval(_index.Keyword, _index.Vectors));
        var options = new SearchOptions { Method = method, Top = 3 };

        var run = await SearchPipeline.RunAsync("cordless drill", options, s_products.Length, retrieval, _encoder, Texts, explain: true,
            cancellationToken: TestContext.Current.CancellationToken);
        var explainer = HitExplainer.ForRun(run, options, retrieval, _encoder, TestContext.Current.CancellationToken);
        var explanations = new List<HitExplanation>();
        foreach (var hit in run.Hits)
        {
            explanations.Add(await explainer.ExplainAsync(hit.ProductId, Text(hit.ProductId), cancellationToken: TestContext.Current.CancellationToken));
        }

        Assert.Equal(3, explanations.Count);
        Assert.Equal(1, retrieval.KeywordCalls);
        Assert.Equal(1, retrieval.DenseCalls);
        Assert.Single(_encoder.QueriesSeen, q => q == "cordless drill");
        // The explanations' ranks are those of the lists the search read.
        Assert.Equal(run.Keyword!.Select(h => h.ProductId).ToList().IndexOf(run.Hits[0].ProductId) + 1, explanations[0].Bm25.Rank);
        Assert.Equal(run.Dense!.Select(h => h.ProductId).ToList().IndexOf(run.Hits[0].ProductId) + 1, explanations[0].Dense.Rank);
    }

    [Fact]
    public async Task UnexplainedBm25Search_NeitherEmbedsTheQueryNorReadsTheDenseList()
    {
        var retrieval = new CountingRetrieval(new IndexRetrieval(_index.Keyword, _index.Vectors));

        var run = await SearchPipeline.RunAsync("cordless drill", new SearchOptions { Method = SearchMethod.Bm25 }, s_products.Length, retrieval, _encoder,
            Texts, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["p1", "p4"], run.Hits.Take(2).Select(h => h.ProductId).Order(StringComparer.Ordinal));
        Assert.Equal((1, 0), (retrieval.KeywordCalls, retrieval.DenseCalls));
        Assert.Empty(_encoder.QueriesSeen);
        Assert.Null(run.QueryVector);
    }

    [Fact]
    public async Task CancelledDuringKeywordRetrieval_EncodesNothingAndReadsNoDenseList()
    {
        using var client = new CancellationTokenSource();
        var retrieval = new CountingRetrieval(new IndexRetrieval(_index.Keyword, _index.Vectors)) { OnKeyword = client.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await SearchPipeline.RunAsync("cordless drill", new SearchOptions(), s_products.Length, retrieval, _encoder, Texts,
                cancellationToken: client.Token));

        Assert.Empty(_encoder.QueriesSeen);
        Assert.Equal(0, retrieval.DenseCalls);
    }

    [Fact]
    public async Task CancelledWhileEmbeddingTheQuery_ReadsNoDenseListAndReranksNothing()
    {
        using var client = new CancellationTokenSource();
        var encoder = new CancellingEncoder(_encoder, client);
        var reranker = new CountingScorer();
        var retrieval = new CountingRetrieval(new IndexRetrieval(_index.Keyword, _index.Vectors));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await SearchPipeline.RunAsync("cordless drill", new SearchOptions { Reranker = reranker }, s_products.Length, retrieval, encoder, Texts,
                cancellationToken: client.Token));

        Assert.Single(_encoder.QueriesSeen);
        Assert.Equal(0, retrieval.DenseCalls);
        Assert.Equal(0, reranker.Calls);
    }

    private static string Text(string id) => ProductText.Default.Of(s_products.Single(p => p.Id == id));

    private static ValueTask<IReadOnlyList<string>> Texts(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(ids.Select(Text).ToList());

    /// <summary>Counts the list reads of an inner retrieval; can act (cancel) when the keyword list is asked for.</summary>
    private sealed class CountingRetrieval(IRetrieval inner) : IRetrieval
    {
        public int KeywordCalls { get; private set; }

        public int DenseCalls { get; private set; }

        public Action? OnKeyword { get; init; }

        public SimilarityMetric Metric => inner.Metric;

        public ValueTask<IReadOnlyList<SearchHit>> KeywordAsync(string prepared, int k, CancellationToken cancellationToken)
        {
            KeywordCalls++;
            OnKeyword?.Invoke();
            return inner.KeywordAsync(prepared, k, CancellationToken.None); // the database answered; the client left meanwhile
        }

        public ValueTask<IReadOnlyList<SearchHit>> DenseAsync(float[] query, int k, CancellationToken cancellationToken)
        {
            DenseCalls++;
            return inner.DenseAsync(query, k, cancellationToken);
        }

        public ValueTask<float[]> KeywordScoresAsync(string prepared, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.KeywordScoresAsync(prepared, ids, cancellationToken);

        public ValueTask<float[]> DenseScoresAsync(float[] query, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.DenseScoresAsync(query, ids, cancellationToken);

        public ValueTask<IReadOnlyList<TermContribution>> ExplainTermsAsync(string prepared, string id, CancellationToken cancellationToken) =>
            inner.ExplainTermsAsync(prepared, id, cancellationToken);

        public ValueTask<string> CorrectSpellingAsync(string normalized, CancellationToken cancellationToken) =>
            inner.CorrectSpellingAsync(normalized, cancellationToken);

        public ValueTask<int> KeywordCountAsync(string prepared, CancellationToken cancellationToken) =>
            inner.KeywordCountAsync(prepared, cancellationToken);
    }

    /// <summary>Encodes, then cancels the search (the client left while its query was embedded).</summary>
    private sealed class CancellingEncoder(ITextEncoder inner, CancellationTokenSource client) : ITextEncoder
    {
        public int Dimension => inner.Dimension;

        public string Identity => inner.Identity;

        public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            var vectors = inner.Encode(texts, role, progress, cancellationToken);
            client.Cancel();
            return vectors;
        }
    }

    private sealed class CountingScorer : IPairScorer
    {
        public int Calls { get; private set; }

        public string Identity => "counting";

        public bool ScoresRelevance => false;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            Calls++;
            return texts.Select(t => (float)t.Length).ToArray();
        }
    }
}
