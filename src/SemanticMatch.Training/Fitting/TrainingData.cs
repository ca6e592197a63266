using SemanticMatch.Core.Catalogue;
using SemanticMatch.Onnx.Encoding;

namespace SemanticMatch.Training.Fitting;

/// <summary>A tokenized (query, product) pair with its graded relevance.</summary>
public sealed record TrainingPair(string Query, string ProductId, long[] QueryTokens, long[] ProductTokens, double Relevance);

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

    private static long[] Cached(Dictionary<string, long[]> cache, string key, Func<long[]> make)
    {
        if (!cache.TryGetValue(key, out var tokens))
        {
            tokens = make();
            cache[key] = tokens;
        }

        return tokens;
    }
}
