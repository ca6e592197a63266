using SemanticMatch.Core;
using SemanticMatch.Core.Text;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>
/// What every store does the same way for one collection, whatever keeps its records: checking and embedding a batch
/// of records, checking and normalising a query, and running the engine's pipeline (fusion, re-ranking, explanations,
/// minimum score, private fields) over the store's own retrieval.
/// </summary>
/// <param name="name">The collection's name (for messages).</param>
/// <param name="settings">Its settings.</param>
/// <param name="models">Its bi-encoder, cross-encoder and learned ranker.</param>
public sealed class CollectionSearcher(string name, CollectionSettings settings, CollectionModels models)
{
    private readonly ProductText _text = new(settings.Fields, TextNormalizationOptions.Default);
    private readonly HashSet<string> _private = new(settings.PrivateFields, StringComparer.Ordinal);

    /// <summary>The bi-encoder.</summary>
    public ITextEncoder Encoder => models.Encoder;

    /// <summary>The settings.</summary>
    public CollectionSettings Settings => settings;

    /// <summary>The private fields, never returned.</summary>
    public IReadOnlyCollection<string> PrivateFields => _private;

    /// <summary>A record's text as embedded and keyword-indexed: its fields, in the collection's order, normalised.</summary>
    public string TextOf(Record record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _text.Of(record.Text);
    }

    /// <summary>
    /// The part of a record's text that may be shown: its fields without the private ones. Spelling correction and
    /// explanations draw their words from it only, so they never spell out a private value.
    /// </summary>
    public string PublicTextOf(Record record) => _private.Count == 0 ? TextOf(record) : TextOf(record.Without(_private));

    /// <summary>Checks a batch (ids unique, every record has text) and embeds it, one vector per record.</summary>
    /// <exception cref="InvalidRequestException">A record has no text in the collection's fields, or an id repeats.</exception>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<Record> records, CancellationToken cancellationToken)
    {
        var duplicate = records.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidRequestException($"record '{duplicate.Key}' appears {duplicate.Count()} times in one batch");
        }

        var texts = records.Select(TextOf).ToList();
        var empty = texts.FindIndex(t => t.Length == 0);
        if (empty >= 0)
        {
            throw new InvalidRequestException(
                $"record '{records[empty].Id}' has no text in the collection's fields ({string.Join(", ", settings.Fields)})");
        }

        return models.Encoder.Encode(texts, TextRole.Document, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Checks the query against the collection, prepares it (<see cref="QueryPreparation"/>), runs it through the
    /// engine's pipeline, applies the minimum score and probability, and explains the hits when asked, from what the
    /// run computed.
    /// </summary>
    /// <param name="query">The query.</param>
    /// <param name="size">How many records the collection holds.</param>
    /// <param name="retrievalUnder">The store's retrieval under some filters (the query's, or those a facet's own filter left out), and its records.</param>
    /// <param name="synonyms">The collection's synonyms, applied to keyword retrieval, spelling and highlights.</param>
    /// <param name="cancellationToken">Stops between stages, encoder and re-ranking batches.</param>
    /// <exception cref="InvalidRequestException">Broken options, re-ranking without a re-ranker, a private field filtered on, or nothing to match.</exception>
    public async Task<CollectionSearchResult> SearchAsync(CollectionQuery query, int size, Func<IReadOnlyList<FieldFilter>, ICollectionRetrieval> retrievalUnder,
        Synonyms synonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(retrievalUnder);
        ArgumentNullException.ThrowIfNull(synonyms);
        var retrieval = synonyms.Over(retrievalUnder(query.Filters));
        var normalized = Check(query);
        var prepared = size == 0 ? normalized : await QueryPreparation.PrepareAsync(normalized, query.SpellCorrection, retrieval, cancellationToken).ConfigureAwait(false);
        var options = query.ToSearchOptions(models.Reranker, models.Ranker);
        var run = await SearchPipeline.RunAsync(prepared, options, size, retrieval, models.Encoder, TextsOf, normalized, query.Explain,
            cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var (matches, total) = await MatchesAsync(query, options, size, prepared, run, retrieval, cancellationToken).ConfigureAwait(false);
        var matched = query.Sort.Count > 0 || query.Facets.Count > 0
            ? await retrieval.RecordsAsync(matches.Select(h => h.ProductId).ToList(), cancellationToken).ConfigureAwait(false)
            : [];
        var present = matched.Zip(matches, (r, h) => (Record: r, Hit: h)).Where(x => x.Record is not null).ToList(); // matched[i] is matches[i]'s

        // The page: the matches in the order asked; the re-ranked head when a second stage ran; else the matches
        // themselves, read at a depth that does not depend on the page, so an approximate vector index cannot order
        // two pages of one search differently.
        IReadOnlyList<SearchHit> ranking = query.Sort.Count > 0
            ? ResultPage.Sorted(present.Select(x => x.Record!).ToList(), query.Sort).Select(i => present[i].Hit).ToList()
            : options.Reranker is not null || options.Ranker is not null
                ? run.Hits.Where(h => (query.MinScore is not { } min || h.Score >= min) && (query.MinProbability is not { } p || h.Probability >= p)).ToList()
                : matches;
        var page = ranking.Skip(query.Offset).Take(query.Top).ToList();
        var records = await retrieval.RecordsAsync(page.Select(h => h.ProductId).ToList(), cancellationToken).ConfigureAwait(false);
        var explainer = query.Explain ? HitExplainer.ForRun(run, options, retrieval, models.Encoder, cancellationToken) : null;
        var highlighter = query.Highlight ? new Highlighter([synonyms.Expand(prepared)]) : null;
        var hits = new List<CollectionHit>(page.Count);
        for (var i = 0; i < page.Count; i++)
        {
            if (records[i] is not { } record)
            {
                continue; // deleted while the search ran
            }

            var explanation = explainer is null
                ? null
                : await explainer.ExplainAsync(record.Id, TextOf(record), _private.Count == 0 ? null : Words(PublicTextOf(record)), cancellationToken)
                    .ConfigureAwait(false);
            hits.Add(new CollectionHit(query.Offset + hits.Count + 1, record.Without(_private), page[i].Score, explanation)
            {
                Probability = page[i].Probability,
                Highlights = highlighter is null ? null : Highlights(record, highlighter),
            });
        }

        var facets = query.Facets.Count == 0
            ? null
            : await FacetsAsync(query, size, prepared, run.QueryVector, present.Select(x => x.Record!).ToList(), retrievalUnder, synonyms, cancellationToken)
                .ConfigureAwait(false);
        return new CollectionSearchResult(prepared, prepared != normalized, hits, total, facets);

        async ValueTask<IReadOnlyList<string>> TextsOf(IReadOnlyList<string> ids, CancellationToken token) =>
            (await retrieval.RecordsAsync(ids, token).ConfigureAwait(false)).Select(r => r is null ? string.Empty : TextOf(r)).ToList();
    }

    /// <summary>
    /// Facets counted disjunctively: a field is counted over the matches of the query's other filters, so its own
    /// filter does not hide its other values (a brand picked still shows the other brands' counts). A field nobody
    /// filters on is counted over the search's own matches; one with a filter costs one more first-stage retrieval
    /// (no re-ranking) under the filters without it.
    /// </summary>
    private async ValueTask<IReadOnlyDictionary<string, Facet>> FacetsAsync(CollectionQuery query, int size, string prepared, float[]? queryVector, List<Record> matched,
        Func<IReadOnlyList<FieldFilter>, ICollectionRetrieval> retrievalUnder, Synonyms synonyms, CancellationToken cancellationToken)
    {
        var filtered = query.Facets.Where(f => query.Filters.Any(filter => filter.Field == f)).ToList();
        var facets = new Dictionary<string, Facet>(ResultPage.Facets(matched, query.Facets.Except(filtered).ToList(), query.FacetValues), StringComparer.Ordinal);
        foreach (var field in filtered)
        {
            var others = query.Filters.Where(f => f.Field != field).ToList();
            var retrieval = synonyms.Over(retrievalUnder(others));
            // The page kept: a dense list is read as deep for the facet as for the search's own matches.
            var unfiltered = query with { Filters = others, Sort = [], Explain = false, Rerank = false, MinProbability = null };
            var options = unfiltered.ToSearchOptions(reranker: null);
            var run = await SearchPipeline.RunAsync(prepared, options, size, retrieval, models.Encoder, NoTexts, prepared, explain: false, queryVector,
                cancellationToken).ConfigureAwait(false);
            var (matches, _) = await MatchesAsync(unfiltered, options, size, prepared, run, retrieval, cancellationToken).ConfigureAwait(false);
            var records = await retrieval.RecordsAsync(matches.Select(h => h.ProductId).ToList(), cancellationToken).ConfigureAwait(false);
            facets[field] = ResultPage.Facets(records.OfType<Record>().ToList(), [field], query.FacetValues)[field];
        }

        return query.Facets.ToDictionary(f => f, f => facets[f], StringComparer.Ordinal);

        static ValueTask<IReadOnlyList<string>> NoTexts(IReadOnlyList<string> ids, CancellationToken token) =>
            throw new InvalidOperationException("a facet's retrieval does not re-rank");
    }

    /// <summary>
    /// The records a search counts as matches, in relevance order, at most <see cref="CollectionQuery.MaxMatches"/>:
    /// for BM25 every record holding a query word; for dense the nearest records, as deep as the fusion depth (or the
    /// next multiple of it that holds the page); for hybrid the union of both lists the fusion read, in fused order. Hits under the minimum score are not
    /// matches. Filters apply inside retrieval, so every match meets them.
    /// </summary>
    private static async ValueTask<(IReadOnlyList<SearchHit> Matches, int Total)> MatchesAsync(CollectionQuery query, SearchOptions options, int size,
        string prepared, SearchRun run, ICollectionRetrieval retrieval, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return ([], 0);
        }

        if (query.Method == SearchMethod.Bm25 && query.Sort.Count == 0 && query.Facets.Count == 0 && query.MinScore is null)
        {
            // Only the page is needed (the pipeline read it); the total is a count, not a list of every match.
            var count = await retrieval.KeywordCountAsync(prepared, cancellationToken).ConfigureAwait(false);
            return (run.Keyword!, Math.Min(count, CollectionQuery.MaxMatches));
        }

        // Dense lists are read in whole blocks of the fusion depth, so every page within a block reads the same list.
        var block = Math.Max(1, options.FusionDepth);
        var depth = Math.Min(size, (Math.Max(query.Offset + query.Top, block) + block - 1) / block * block);
        IReadOnlyList<SearchHit> matches = query.Method switch
        {
            SearchMethod.Bm25 => await retrieval.KeywordAsync(prepared, Math.Min(size, CollectionQuery.MaxMatches), cancellationToken).ConfigureAwait(false),
            SearchMethod.Dense => run.Dense is { } dense && dense.Count >= depth
                ? dense
                : await retrieval.DenseAsync(run.QueryVector!, depth, cancellationToken).ConfigureAwait(false),
            _ => Core.Fusion.HybridFusion.Fuse(run.Keyword!, run.Dense!, options.Fusion),
        };
        matches = query.MinScore is { } min ? matches.Where(h => h.Score >= min).ToList() : matches;
        return (matches, matches.Count);
    }

    /// <summary>The prefix as completions read it: normalised as queries are, lower case.</summary>
    public string SuggestionPrefix(string prefix) => _text.OfQuery(prefix ?? string.Empty).ToLowerInvariant();

    private Dictionary<string, string> Highlights(Record record, Highlighter highlighter) =>
        settings.Fields.Where(f => !_private.Contains(f) && record.Fields.TryGetValue(f, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String)
            .ToDictionary(f => f, f => highlighter.Mark(record.Text(f)), StringComparer.Ordinal);

    // Checks a query against this collection (options, models, private fields) and returns its normalised text.
    private string Check(CollectionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Problem() is { } problem)
        {
            throw new InvalidRequestException($"search: {problem}");
        }

        if (query.Rerank && models.Reranker is null)
        {
            throw new InvalidRequestException($"collection '{name}' has no re-ranker; set one with \"reranker\" when creating it");
        }

        if (query.MinProbability is not null && (models.Ranker is null || query.Method != SearchMethod.Hybrid))
        {
            throw new InvalidRequestException(models.Ranker is null
                ? $"minProbability: collection '{name}' has no ranker, so hits have no probability; set one with \"ranker\" when creating it"
                : "minProbability: the ranker orders hybrid searches only; leave out \"method\"");
        }

        if (query.Facets.Concat(query.Sort.Select(k => k.Field)).FirstOrDefault(_private.Contains) is { } privateField)
        {
            throw new InvalidRequestException($"'{privateField}' is a private field of collection '{name}'; private fields cannot be faceted or sorted on");
        }

        if (query.Filters.Select((f, i) => (f, i)).FirstOrDefault(x => _private.Contains(x.f.Field)) is ({ } hidden, var index))
        {
            // A filter on a hidden value is an oracle: a range filter would let a reader binary-search it.
            throw new InvalidRequestException($"filters[{index}]: '{hidden.Field}' is a private field of collection '{name}'; private fields cannot be filtered on");
        }

        return QueryPreparation.Normalize(query.Query, _text);
    }

    private static HashSet<string> Words(string text) =>
        new(text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);

    /// <summary>Ranks the records nearest to record <paramref name="id"/> (the hits of a vector search for its vector), itself excluded.</summary>
    /// <param name="id">The record.</param>
    /// <param name="nearest">The vector search's hits, best first.</param>
    /// <param name="top">How many to keep.</param>
    /// <param name="records">The records of <paramref name="nearest"/> (records[i] belongs to nearest[i]); null where gone meanwhile.</param>
    public IReadOnlyList<CollectionHit> Similar(string id, IReadOnlyList<SearchHit> nearest, int top, IReadOnlyList<Record?> records)
    {
        ArgumentNullException.ThrowIfNull(nearest);
        ArgumentNullException.ThrowIfNull(records);
        return nearest.Select((h, i) => (Hit: h, Record: records[i]))
            .Where(x => x.Hit.ProductId != id && x.Record is not null)
            .Take(top)
            .Select((x, i) => new CollectionHit(i + 1, x.Record!.Without(_private), x.Hit.Score))
            .ToList();
    }
}
