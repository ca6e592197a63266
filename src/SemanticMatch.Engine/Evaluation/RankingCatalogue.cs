using System.Diagnostics;
using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>
/// A catalogue held in memory (an in-memory <see cref="CatalogueIndex"/> of one bi-encoder) for describing judged queries to a learned
/// ranker: each query runs the hybrid first stage as a search would, and its top candidates and its judged products are
/// described by <see cref="RankingStage.DescribeAsync"/>. Ranker training and evaluation both read queries through it.
/// </summary>
public sealed class RankingCatalogue : IDisposable
{
    private readonly CatalogueIndex _corpus;
    private readonly Dictionary<string, string> _texts;
    private readonly ProductText _text;
    private readonly ITextEncoder _encoder;

    private RankingCatalogue(CatalogueIndex corpus, Dictionary<string, string> texts, ProductText text, ITextEncoder encoder)
    {
        _corpus = corpus;
        _texts = texts;
        _text = text;
        _encoder = encoder;
    }

    /// <summary>Products a second indexed and embedded.</summary>
    public double ProductsPerSecond { get; private init; }

    /// <summary>
    /// Embeds <paramref name="products"/> and builds them into an in-memory corpus (<see cref="CatalogueIndex.Build"/>
    /// without a directory) with the settings a served corpus has: fields and normalisation, keyword language, metric and
    /// vector index.
    /// </summary>
    /// <exception cref="InvalidRequestException">The settings are invalid.</exception>
    public static RankingCatalogue Build(IReadOnlyList<Product> products, CatalogueIndexOptions corpus, ITextEncoder encoder,
        IProgressSink? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(encoder);
        if (corpus.Problem() is { } problem)
        {
            throw new InvalidRequestException($"corpus settings: {problem.Property} {problem.Rule}");
        }

        var stopwatch = Stopwatch.StartNew();
        var step = (progress ?? NullProgressSink.Instance).Begin($"embedding {products.Count} products", products.Count);
        var embeddings = CatalogueIndex.Embed(products, encoder, corpus.Text, step, cancellationToken);
        var index = CatalogueIndex.Build(products, embeddings, encoder, corpus);
        var byId = products.ToDictionary(p => p.Id, corpus.Text.Of, StringComparer.Ordinal);
        return new RankingCatalogue(index, byId, corpus.Text, encoder) { ProductsPerSecond = products.Count / stopwatch.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// Runs each judged query's hybrid first stage and describes its top <paramref name="depth"/> candidates and its
    /// judged products (duplicate rows of a pair are averaged; queries in file order).
    /// </summary>
    /// <param name="judgments">Labelled pairs; every product must be in the catalogue.</param>
    /// <param name="depth">How many first-stage results are candidates (the ranker's depth).</param>
    /// <param name="crossEncoder">The cross-encoder whose scores are a signal, or null.</param>
    /// <param name="fusion">Hybrid fusion of the first stage.</param>
    /// <param name="spellCorrection">Whether queries are spell-corrected against the catalogue.</param>
    /// <param name="progress">Progress of the queries.</param>
    /// <param name="cancellationToken">Stops between queries.</param>
    /// <exception cref="InvalidRequestException">A judged product is not in the catalogue.</exception>
    public async Task<IReadOnlyList<JudgedQuerySignals>> DescribeAsync(IReadOnlyList<Judgment> judgments, int depth, IPairScorer? crossEncoder,
        FusionOptions fusion, bool spellCorrection = true, IProgressSink? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var missing = judgments.FirstOrDefault(j => !_texts.ContainsKey(j.ProductId));
        if (missing.ProductId is not null)
        {
            throw new InvalidRequestException($"judged product '{missing.ProductId}' (query '{missing.Query}') is not in the products");
        }

        var queries = judgments.GroupBy(j => j.Query, StringComparer.Ordinal).ToList();
        var retrieval = new IndexRetrieval(_corpus.Keyword, _corpus.Vectors);
        var options = new SearchOptions { Method = SearchMethod.Hybrid, Top = Math.Max(depth, 100), Fusion = fusion, FusionDepth = Math.Max(depth, 100) };
        var step = (progress ?? NullProgressSink.Instance).Begin($"describing {queries.Count} queries", queries.Count);
        var described = new List<JudgedQuerySignals>(queries.Count);
        var stopwatch = new Stopwatch();
        foreach (var query in queries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stopwatch.Restart();
            var normalized = _text.OfQuery(query.Key);
            var searched = await QueryPreparation.PrepareAsync(normalized, spellCorrection, retrieval, cancellationToken).ConfigureAwait(false);
            var run = await SearchPipeline.RunAsync(searched, options, _texts.Count, retrieval, _encoder, TextsOf, normalized,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var firstStage = run.Hits;
            var judged = query.GroupBy(j => j.ProductId, StringComparer.Ordinal)
                .Select(g => (Id: g.Key, Relevance: g.Average(j => j.Relevance)))
                .ToList();
            var candidateIds = firstStage.Take(depth).Select(h => h.ProductId).ToList();
            var ids = candidateIds.Concat(judged.Select(j => j.Id)).Distinct(StringComparer.Ordinal).ToList();
            var signals = (await RankingStage.DescribeAsync(searched, ids, firstStage, depth, retrieval, run.QueryVector!, crossEncoder, TextsOf,
                cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Id, StringComparer.Ordinal);
            described.Add(new JudgedQuerySignals(query.Key,
                new QuerySignals(normalized, searched, candidateIds.Select(id => signals[id]).ToList()),
                firstStage,
                judged.Select(j => new JudgedCandidate(signals[j.Id], j.Relevance)).ToList(),
                stopwatch.Elapsed.TotalMilliseconds));
            step.Report(described.Count);
        }

        return described;
    }

    /// <inheritdoc />
    public void Dispose() => _corpus.Dispose();

    private ValueTask<IReadOnlyList<string>> TextsOf(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(ids.Select(id => _texts[id]).ToList());
}

/// <summary>One judged query described for a learned ranker.</summary>
/// <param name="Query">The query as judged.</param>
/// <param name="Signals">The query and its first stage's candidates.</param>
/// <param name="FirstStage">The first stage's ranking (at least 100 deep when the catalogue holds that many), best first.</param>
/// <param name="Judged">Each judged product and its relevance.</param>
/// <param name="LatencyMs">Time to run the first stage and describe every product (candidates and judged).</param>
public sealed record JudgedQuerySignals(string Query, QuerySignals Signals, IReadOnlyList<SearchHit> FirstStage,
    IReadOnlyList<JudgedCandidate> Judged, double LatencyMs);

/// <summary>A judged product described for a ranker.</summary>
/// <param name="Signals">What the ranker reads.</param>
/// <param name="Relevance">Its labelled relevance.</param>
public sealed record JudgedCandidate(CandidateSignals Signals, double Relevance);
