using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine.Evaluation;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Tests;

public sealed class EvaluatorTests
{
    private static readonly Product[] s_products =
    [
        new("d1", "Cordless Drill Kit"),
        new("d2", "Drill Bit Set"),
        new("f1", "Kitchen Faucet"),
        new("f2", "Bathroom Faucet"),
        new("h1", "Garden Hose"),
    ];

    private static readonly Judgment[] s_judgments =
    [
        new("cordless drill", "d1", 3), new("cordless drill", "d2", 2), new("cordless drill", "h1", 1),
        new("kitchen faucet", "f1", 3), new("kitchen faucet", "f2", 1.67),
        new("hose", "h1", 2.33), new("hose", "f1", 2.33), // all equally relevant: skipped by NDCG
    ];

    [Fact]
    public async Task Run_ReportsEveryMethod_WithHandCheckableNumbers()
    {
        var results = (await new Evaluator(new EvalOptions()).RunAsync(s_products, s_judgments, [new EvalModel("hash", new HashingEncoder())]));

        Assert.Equal(["bm25", "dense[hash]", "hybrid[hash]"], results.Select(r => r.Method));
        var bm25 = results[0];

        // BM25 ranks every judged list perfectly here.
        Assert.Equal(1, bm25.Ndcg10!.Value, 9);
        Assert.Equal(2, bm25.NdcgQueries);
        Assert.Equal(1, bm25.NdcgSkipped);

        // Relevant (>= 2.5): d1 for the drill query, f1 for the faucet query; "hose" has none, so it is left out.
        Assert.Equal(2, bm25.RetrievalQueries);
        Assert.Equal(1, bm25.Recall10!.Value, 9);
        Assert.Equal(1, bm25.Mrr10!.Value, 9);
        Assert.InRange(bm25.RocAuc!.Value, 0, 1);
        Assert.All(results, r => Assert.True(r.LatencyP50Ms >= 0 && r.ProductsPerSecond > 0));
    }

    [Fact]
    public async Task Run_WithReranker_AddsRerankRows_RanksByItsScores_AndReportsRmse()
    {
        // The oracle scorer predicts each judged pair's label exactly (and 1 for unjudged products).
        var labels = s_judgments.ToDictionary(j => (j.Query, Title(j.ProductId)), j => (float)j.Relevance);
        var oracle = new OracleScorer(labels);
        var options = new EvalOptions { Reranker = new EvalReranker("oracle", oracle), RerankDepth = 2 };

        var results = (await new Evaluator(options).RunAsync(s_products, s_judgments, [new EvalModel("hash", new HashingEncoder())]));

        Assert.Equal(["bm25", "bm25+rerank[oracle]@2", "dense[hash]", "hybrid[hash]", "hybrid[hash]+rerank[oracle]@2"], results.Select(r => r.Method));
        var reranked = results[1];
        Assert.Equal(1, reranked.Ndcg10!.Value, 9);
        Assert.Equal(0, reranked.Rmse!.Value, 6); // labels pass through float
        Assert.Null(results[0].Rmse);
        Assert.True(reranked.LatencyP50Ms >= results[0].LatencyP50Ms, "re-ranking latency includes the first stage");
    }

    [Fact]
    public async Task Run_RerankDepth_LimitsWhichCandidatesAreRescored()
    {
        // A scorer that inverts the labels: with depth 1 only the first-stage top candidate is rescored, so the
        // first-stage order below it survives; with depth 3 the inverted order wins and NDCG drops.
        var labels = s_judgments.ToDictionary(j => (j.Query, Title(j.ProductId)), j => (float)(4 - j.Relevance));
        Assert.Equal(1, await NdcgWith(1), 9);
        var inverted = await NdcgWith(3);
        Assert.True(inverted < 0.9, $"inverted scores at depth 3: NDCG {inverted}");

        async Task<double> NdcgWith(int depth) => (await new Evaluator(new EvalOptions { Reranker = new EvalReranker("inverse", new OracleScorer(labels)), RerankDepth = depth })
            .RunAsync(s_products, s_judgments, []))[1].Ndcg10!.Value;
    }

    private static string Title(string productId) => ProductText.Default.Of(s_products.Single(p => p.Id == productId));

    private sealed class OracleScorer(Dictionary<(string Query, string Text), float> labels) : IPairScorer
    {
        public string Identity => "oracle";

        public bool ScoresRelevance => true;

        public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            texts.Select(t => labels.GetValueOrDefault((query, t), 1f)).ToArray();
    }

    [Fact]
    public async Task Run_MethodSelection_IsHonoured()
    {
        var options = new EvalOptions { IncludeBm25 = false, IncludeDense = false };

        var results = (await new Evaluator(options).RunAsync(s_products, s_judgments, [new EvalModel("hash", new HashingEncoder())]));

        Assert.Equal(["hybrid[hash]"], results.Select(r => r.Method));
    }

    [Fact]
    public async Task Run_ThresholdAboveEveryLabel_LeavesRetrievalUndefined()
    {
        var results = (await new Evaluator(new EvalOptions { RelevantThreshold = 4 }).RunAsync(s_products, s_judgments, []));

        Assert.Null(results[0].Recall10);
        Assert.Equal(0, results[0].RetrievalQueries);
        Assert.Null(results[0].RocAuc);
    }

    [Fact]
    public async Task Run_NoPairRelevant_ReportsNoThresholdInsteadOfInfinity_AndSerialises()
    {
        Judgment[] allBelow = [new("cordless drill", "d1", 1), new("cordless drill", "d2", 2), new("kitchen faucet", "f1", 1)];

        var results = (await new Evaluator(new EvalOptions { RelevantThreshold = 2.5 }).RunAsync(s_products, allBelow, [new EvalModel("hash", new HashingEncoder())]));

        Assert.All(results, r => Assert.Null(r.Threshold));
        Assert.All(results, r => Assert.Equal(1, r.Accuracy!.Value, 9)); // calling nothing relevant is right for every pair
        var json = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(results));
        Assert.All(json.RootElement.EnumerateArray(), m => Assert.Equal(System.Text.Json.JsonValueKind.Null, m.GetProperty("Threshold").ValueKind));
    }

    [Theory]
    [InlineData(SearchMethod.Bm25, "bm25", SimilarityMetric.Cosine, VectorIndexKind.Exact, TextLanguage.Auto)]
    [InlineData(SearchMethod.Dense, "dense[hash]", SimilarityMetric.Cosine, VectorIndexKind.Exact, TextLanguage.Auto)]
    [InlineData(SearchMethod.Hybrid, "hybrid[hash]", SimilarityMetric.Cosine, VectorIndexKind.Exact, TextLanguage.Auto)]
    [InlineData(SearchMethod.Bm25, "bm25", SimilarityMetric.Cosine, VectorIndexKind.Exact, TextLanguage.Zh)]
    [InlineData(SearchMethod.Hybrid, "hybrid[hash]", SimilarityMetric.Euclidean, VectorIndexKind.Hnsw, TextLanguage.En)]
    [InlineData(SearchMethod.Dense, "dense[hash]", SimilarityMetric.Dot, VectorIndexKind.Hnsw, TextLanguage.Auto)]
    public async Task Run_RetrievalMetrics_EqualThoseOfTheSearchPipeline_OnTheCorpusItIsGiven(SearchMethod method, string label,
        SimilarityMetric metric, VectorIndexKind vectorIndex, TextLanguage language)
    {
        // A seeded synthetic catalogue where the methods rank differently, so a divergence between eval and search shows.
        var random = new Random(7);
        string[] words = ["drill", "cordless", "hose", "garden", "faucet", "kitchen", "white", "brass", "saw", "blade", "led", "bulb", "paint", "roller", "ladder"];
        var products = Enumerable.Range(0, 80)
            .Select(i => new Product($"p{i}", string.Join(' ', Enumerable.Range(0, random.Next(2, 6)).Select(_ => words[random.Next(words.Length)]))))
            .ToList();
        var judgments = Enumerable.Range(0, 15).SelectMany(q =>
        {
            var query = $"{words[random.Next(words.Length)]} {words[random.Next(words.Length)]} q{q}";
            return products.OrderBy(_ => random.Next()).Take(6).Select(p => new Judgment(query, p.Id, random.Next(1, 4)));
        }).ToList();
        var encoder = new HashingEncoder();

        var corpus = new CatalogueIndexOptions { Metric = metric, VectorIndex = vectorIndex, Language = language };

        var result = (await new Evaluator(new EvalOptions { Corpus = corpus }).RunAsync(products, judgments, [new EvalModel("hash", encoder)]))
            .Single(r => r.Method == label);
        using var index = CatalogueIndex.Build(products, CatalogueIndex.Embed(products, encoder, ProductText.Default), encoder, corpus);
        var recall10 = new List<double>();
        var mrr10 = new List<double>();
        foreach (var query in judgments.GroupBy(j => j.Query))
        {
            var relevant = query.Where(j => j.Relevance >= 2.5).Select(j => j.ProductId).ToHashSet();
            if (relevant.Count == 0)
            {
                continue;
            }

            var ranked = (await index.SearchAsync(query.Key, new SearchOptions { Method = method, Top = 100 })).Select(r => r.Product.Id).ToList();
            recall10.Add(RankingMetrics.RecallAtK(ranked, relevant, 10));
            mrr10.Add(RankingMetrics.ReciprocalRankAtK(ranked, relevant, 10));
        }

        Assert.Equal(recall10.Average(), result.Recall10!.Value, 12);
        Assert.Equal(mrr10.Average(), result.Mrr10!.Value, 12);
    }

    [Fact]
    public async Task Run_KeywordLanguage_IsTheCorpusLanguage()
    {
        // The English analyser drops the stop word "the", so only the drill set matches "the drill"; the Chinese one
        // (SmartCn) keeps it, so the short lamp title matches on "the" and outranks the longer drill title.
        Product[] products = [new("lamp", "the lamp"), new("drill", "drill set with case and bits")];
        Judgment[] judgments = [new("the drill", "drill", 3), new("the drill", "lamp", 1)];
        var encoder = new HashingEncoder();

        async Task<(double Eval, string ServedFirst)> Run(TextLanguage language)
        {
            var corpus = new CatalogueIndexOptions { Language = language };
            var eval = (await new Evaluator(new EvalOptions { Corpus = corpus, SpellCorrection = false }).RunAsync(products, judgments, [])).Single();
            using var index = CatalogueIndex.Build(products, CatalogueIndex.Embed(products, encoder, ProductText.Default), encoder, corpus);
            var served = await index.SearchAsync("the drill", new SearchOptions { Method = SearchMethod.Bm25, Top = 2, SpellCorrection = false });
            return (eval.Mrr10!.Value, served[0].Product.Id);
        }

        var english = await Run(TextLanguage.En);
        var chinese = await Run(TextLanguage.Zh);

        Assert.Equal(("drill", "lamp"), (english.ServedFirst, chinese.ServedFirst));
        Assert.Equal((1, 0.5), (english.Eval, chinese.Eval));
    }

    [Fact]
    public async Task Run_QueryASearchRefuses_IsNamed_BeforeAnyWork()
    {
        Judgment[] judgments = [.. s_judgments, new("!!!", "d1", 3), new("- -", "d2", 1)];

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => new Evaluator(new EvalOptions()).RunAsync(s_products, judgments, []));

        Assert.Equal("2 judged queries have no letters or digits after normalisation, so a search refuses them: '!!!', '- -'; remove them from the judgments",
            error.Message);
    }

    [Fact]
    public async Task Run_BrokenCorpusSettings_AreRefusedByName()
    {
        var options = new EvalOptions { Corpus = new CatalogueIndexOptions { Metric = SimilarityMetric.Jaccard } };

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => new Evaluator(options).RunAsync(s_products, s_judgments, []));

        Assert.StartsWith("evaluation options: Metric ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task Run_NoJudgments_Throws() =>
        Assert.ThrowsAsync<InvalidRequestException>(() => new Evaluator(new EvalOptions()).RunAsync(s_products, [], []));
}
