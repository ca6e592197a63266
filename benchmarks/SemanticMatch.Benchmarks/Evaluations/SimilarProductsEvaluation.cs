using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Benchmarks.Evaluations;

/// <summary>Recall@10 of co-relevant products for one neighbour finder.</summary>
/// <param name="Method">What found the neighbours.</param>
/// <param name="RecallAt10">Mean over the evaluated products of |neighbours ∩ co-relevant| / min(10, |co-relevant|).</param>
/// <param name="Products">How many products were evaluated.</param>
public sealed record SimilarProductsResult(string Method, double RecallAt10, int Products);

/// <summary>
/// Similar-product recommendation judged by search relevance: two products judged relevant to the same query
/// (relevance at least the threshold) are co-relevant, and a good "similar products" list for one holds the others.
/// </summary>
public static class SimilarProductsEvaluation
{
    /// <summary>Neighbours per product.</summary>
    public const int K = 10;

    /// <summary>The co-relevant products of each product that has any (queries with at least two relevant products).</summary>
    public static Dictionary<string, HashSet<string>> CoRelevant(IEnumerable<Judgment> judgments, double relevantThreshold)
    {
        var coRelevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in judgments.Where(j => j.Relevance >= relevantThreshold).GroupBy(j => j.Query, StringComparer.Ordinal))
        {
            var ids = group.Select(j => j.ProductId).Distinct(StringComparer.Ordinal).ToList();
            foreach (var id in ids.Where(_ => ids.Count > 1))
            {
                var set = coRelevant.TryGetValue(id, out var existing) ? existing : coRelevant[id] = new HashSet<string>(StringComparer.Ordinal);
                set.UnionWith(ids.Where(other => other != id));
            }
        }

        return coRelevant;
    }

    /// <summary>Recall@10 of the encoder's nearest neighbours, of BM25 with the title as the query, and of random products.</summary>
    public static IReadOnlyList<SimilarProductsResult> Run(IReadOnlyList<Product> products, IEnumerable<Judgment> judgments, ITextEncoder encoder,
        string encoderLabel, ProductText text, double relevantThreshold, int seed, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var coRelevant = CoRelevant(judgments, relevantThreshold);
        var evaluated = coRelevant.Keys.Order(StringComparer.Ordinal).ToList();
        var byId = products.ToDictionary(p => p.Id, StringComparer.Ordinal);

        // The same in-memory corpus search builds (CatalogueIndex.Build without a directory): fields, normalisation,
        // language and metric as a served catalogue has them.
        var vectors = encoder.Encode(products.Select(text.Of).ToList(), TextRole.Document,
            progress?.Begin($"embedding {products.Count} products", products.Count));
        using var corpus = CatalogueIndex.Build(products, vectors, encoder, new CatalogueIndexOptions { Text = text });
        var row = products.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var random = new Random(seed);
        double dense = 0, bm25 = 0, chance = 0;
        foreach (var id in evaluated)
        {
            var wanted = coRelevant[id];
            dense += Recall(corpus.Vectors.Search(vectors[row[id]], K + 1).Select(h => h.ProductId), id, wanted);
            bm25 += Recall(corpus.Keyword.Search(corpus.NormalizeQuery(byId[id].Title), K + 1).Select(h => h.ProductId), id, wanted);
            chance += Recall(Enumerable.Range(0, K + 1).Select(_ => products[random.Next(products.Count)].Id), id, wanted);
        }

        var n = Math.Max(1, evaluated.Count);
        return
        [
            new SimilarProductsResult($"dense ({encoderLabel})", dense / n, evaluated.Count),
            new SimilarProductsResult("BM25, the title as the query", bm25 / n, evaluated.Count),
            new SimilarProductsResult("random products", chance / n, evaluated.Count),
        ];
    }

    private static double Recall(IEnumerable<string> neighbours, string self, HashSet<string> wanted)
    {
        var top = neighbours.Where(n => n != self).Distinct(StringComparer.Ordinal).Take(K);
        return (double)top.Count(wanted.Contains) / Math.Min(K, wanted.Count);
    }
}
