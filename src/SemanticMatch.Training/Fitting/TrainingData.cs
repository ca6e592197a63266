using SemanticMatch.Core.Catalogue;
using SemanticMatch.Onnx.Encoding;

namespace SemanticMatch.Training.Fitting;

/// <summary>
/// A tokenized (query, product) pair with its graded relevance, optionally a mined hard negative (a product the
/// current model ranks high for the query that is not judged relevant to it) and a teacher's score (distillation).
/// </summary>
public sealed record TrainingPair(string Query, string ProductId, long[] QueryTokens, long[] ProductTokens, double Relevance,
    long[]? NegativeTokens = null, double? Teacher = null);

/// <summary>Turns judgments into tokenized pairs and length-bucketed, seeded batches.</summary>
public static class TrainingData
{
    /// <summary>
    /// Tokenizes every judgment: the query through <paramref name="queryText"/> (the normalisation search applies) with the
    /// model's query prefix; the product text as given by <paramref name="productText"/>.
    /// </summary>
    public static List<TrainingPair> Tokenize(IReadOnlyList<Judgment> judgments, IReadOnlyDictionary<string, string> productText,
        Func<string, string> queryText, WordPieceTokenizer tokenizer, string queryPrefix, TrainingOptions options)
    {
        var productTokens = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var queryTokens = new Dictionary<string, long[]>(StringComparer.Ordinal);
        return judgments.Select(j => new TrainingPair(
                j.Query,
                j.ProductId,
                Cached(queryTokens, j.Query, () => tokenizer.Encode(queryPrefix + queryText(j.Query), options.MaxQueryLength)),
                Cached(productTokens, j.ProductId, () => tokenizer.Encode(productText[j.ProductId], options.MaxProductLength)),
                j.Relevance))
            .ToList();
    }

    /// <summary>
    /// Batches for one epoch: shuffled with <paramref name="random"/>, then sorted by length inside windows of 50
    /// batches so each batch pads little, then the batch order shuffled again. With <paramref name="distinct"/>, a
    /// batch never holds the same query or product twice (in-batch negatives must be negatives).
    /// </summary>
    public static List<List<TrainingPair>> Batches(IReadOnlyList<TrainingPair> pairs, int batchSize, Random random, bool distinct)
    {
        var shuffled = pairs.OrderBy(_ => random.Next()).ToList();
        var batches = new List<List<TrainingPair>>();
        var window = batchSize * 50;
        for (var start = 0; start < shuffled.Count; start += window)
        {
            var pending = new Queue<TrainingPair>(shuffled.Skip(start).Take(window).OrderBy(p => p.ProductTokens.Length + p.QueryTokens.Length));
            while (pending.Count > 0)
            {
                var batch = new List<TrainingPair>(batchSize);
                var queries = new HashSet<string>(StringComparer.Ordinal);
                var products = new HashSet<string>(StringComparer.Ordinal);
                var deferred = new List<TrainingPair>();
                while (batch.Count < batchSize && pending.Count > 0)
                {
                    var pair = pending.Dequeue();
                    if (distinct && (!queries.Add(pair.Query) || !products.Add(pair.ProductId)))
                    {
                        deferred.Add(pair);
                        continue;
                    }

                    batch.Add(pair);
                }

                foreach (var pair in deferred)
                {
                    pending.Enqueue(pair);
                }

                if (batch.Count >= 2)
                {
                    batches.Add(batch);
                }
                else if (deferred.Count == 0)
                {
                    break;
                }
            }
        }

        return batches.OrderBy(_ => random.Next()).ToList();
    }

    /// <summary>
    /// Batches of whole queries for one epoch: queries shuffled with <paramref name="random"/> and packed in order until
    /// a batch would pass <paramref name="batchSize"/> pairs (a query with more pairs than that is cut into batches of its
    /// own); the batch order shuffled again.
    /// </summary>
    public static List<List<TrainingPair>> QueryBatches(IReadOnlyList<TrainingPair> pairs, int batchSize, Random random)
    {
        var batches = new List<List<TrainingPair>>();
        var current = new List<TrainingPair>(batchSize);
        foreach (var query in pairs.GroupBy(p => p.Query, StringComparer.Ordinal).OrderBy(_ => random.Next()))
        {
            var members = query.ToList();
            if (current.Count + members.Count > batchSize && current.Count > 0)
            {
                batches.Add(current);
                current = new List<TrainingPair>(batchSize);
            }

            foreach (var chunk in members.Chunk(batchSize))
            {
                if (current.Count + chunk.Length > batchSize)
                {
                    batches.Add(current);
                    current = new List<TrainingPair>(batchSize);
                }

                current.AddRange(chunk);
            }
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches.Where(b => b.Count >= 2).OrderBy(_ => random.Next()).ToList();
    }

    private static long[] Cached(Dictionary<string, long[]> cache, string key, Func<long[]> make)
    {
        if (!cache.TryGetValue(key, out var tokens))
        {
            tokens = make();
            cache[key] = tokens;
        }

        return tokens;
    }

    /// <summary>
    /// Attaches a hard negative to every positive pair: the best-ranked product by <paramref name="search"/> for the
    /// query that is neither the pair's product nor judged relevant (relevance &gt;= threshold) to that query.
    /// </summary>
    /// <param name="pairs">Tokenized pairs.</param>
    /// <param name="search">Ranked product ids for a query text (the current model's index), best first.</param>
    /// <param name="productTokens">Tokens of a product by id.</param>
    /// <param name="threshold">Relevance at or above which a judged product is relevant.</param>
    public static List<TrainingPair> WithHardNegatives(IReadOnlyList<TrainingPair> pairs, Func<string, IReadOnlyList<string>> search,
        Func<string, long[]> productTokens, double threshold)
    {
        var relevant = pairs.Where(p => p.Relevance >= threshold)
            .GroupBy(p => p.Query, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var negativeByQuery = new Dictionary<string, string?>(StringComparer.Ordinal);
        return pairs.Select(pair =>
        {
            if (pair.Relevance < threshold)
            {
                return pair;
            }

            if (!negativeByQuery.TryGetValue(pair.Query, out var negative))
            {
                negative = search(pair.Query).FirstOrDefault(id => !relevant[pair.Query].Contains(id));
                negativeByQuery[pair.Query] = negative;
            }

            return negative is null ? pair : pair with { NegativeTokens = productTokens(negative) };
        }).ToList();
    }

    /// <summary>
    /// Gives every pair its teacher's score: <paramref name="score"/> is called once per query with that query's
    /// product ids (in pair order) and returns one score per id.
    /// </summary>
    public static List<TrainingPair> WithTeacherScores(IReadOnlyList<TrainingPair> pairs,
        Func<string, IReadOnlyList<string>, float[]> score)
    {
        var scores = new Dictionary<(string Query, string ProductId), double>();
        foreach (var query in pairs.GroupBy(p => p.Query, StringComparer.Ordinal))
        {
            var ids = query.Select(p => p.ProductId).Distinct(StringComparer.Ordinal).ToList();
            var values = score(query.Key, ids);
            for (var i = 0; i < ids.Count; i++)
            {
                scores[(query.Key, ids[i])] = values[i];
            }
        }

        return pairs.Select(p => p with { Teacher = scores[(p.Query, p.ProductId)] }).ToList();
    }

    /// <summary>
    /// Adds, for every query, <paramref name="perQuery"/> distinct products drawn at random from
    /// <paramref name="catalogue"/> that are not judged for it, labelled <paramref name="relevance"/> (the bottom of the
    /// scale). Judged products were all retrieved by some search engine, so without these a model never sees the
    /// obviously unrelated products a first stage can still return.
    /// </summary>
    public static List<TrainingPair> WithRandomNegatives(IReadOnlyList<TrainingPair> pairs, IReadOnlyList<string> catalogue,
        Func<string, long[]> productTokens, int perQuery, double relevance, Random random)
    {
        var result = pairs.ToList();
        foreach (var query in pairs.GroupBy(p => p.Query, StringComparer.Ordinal))
        {
            var judged = query.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
            var wanted = Math.Min(perQuery, catalogue.Count - judged.Count);
            var drawn = new HashSet<string>(StringComparer.Ordinal);
            while (drawn.Count < wanted)
            {
                var id = catalogue[random.Next(catalogue.Count)];
                if (!judged.Contains(id) && drawn.Add(id))
                {
                    result.Add(new TrainingPair(query.Key, id, query.First().QueryTokens, productTokens(id), relevance));
                }
            }
        }

        return result;
    }
}
