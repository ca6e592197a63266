using System.Globalization;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine.Indexing;

namespace SemanticMatch.Benchmarks.Evaluations;

/// <summary>A customer question with its intent (the FAQ entry that answers it).</summary>
public sealed record FaqQuestion(string Text, string Intent);

/// <summary>Accuracy of one way of picking the FAQ entry.</summary>
public sealed record FaqResult(string Method, double Accuracy);

/// <summary>One "no good match" threshold: questions whose best score is below it get no answer.</summary>
/// <param name="Threshold">The minimum score.</param>
/// <param name="Coverage">Share of questions answered.</param>
/// <param name="Accuracy">Share of the answered questions answered right.</param>
public sealed record CoveragePoint(double Threshold, double Coverage, double Accuracy);

/// <summary>The FAQ evaluation: accuracies and the accuracy-vs-coverage curve of the best dense method.</summary>
public sealed record FaqEvaluationResult(int Entries, int KnownPhrasings, int DevQuestions, IReadOnlyList<FaqResult> Results, IReadOnlyList<CoveragePoint> Curve);

/// <summary>
/// Customer-service FAQ matching: each intent is an entry, its known phrasings are the training questions kept, and a
/// held-out question should find its entry by the nearest known phrasing, or by the nearest intent centroid.
/// </summary>
public static class FaqEvaluation
{
    /// <summary>Splits each intent's questions: <paramref name="devShare"/> of them (at least one) held out, seeded.</summary>
    public static (List<FaqQuestion> Known, List<FaqQuestion> Dev) Split(IReadOnlyList<FaqQuestion> questions, double devShare, int seed)
    {
        var random = new Random(seed);
        var known = new List<FaqQuestion>();
        var dev = new List<FaqQuestion>();
        foreach (var intent in questions.GroupBy(q => q.Intent, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shuffled = intent.OrderBy(_ => random.Next()).ToList();
            var held = Math.Max(1, (int)Math.Round(shuffled.Count * devShare));
            dev.AddRange(shuffled.Take(held));
            known.AddRange(shuffled.Skip(held));
        }

        return (known, dev);
    }

    /// <summary>Evaluates the encoder (nearest phrasing, nearest centroid) and BM25 (nearest phrasing) on the held-out questions.</summary>
    public static FaqEvaluationResult Run(IReadOnlyList<FaqQuestion> known, IReadOnlyList<FaqQuestion> dev, ITextEncoder encoder, string encoderLabel,
        IProgressSink? progress = null)
    {
        var knownVectors = encoder.Encode(known.Select(q => q.Text).ToList(), TextRole.Document, progress?.Begin("embedding known phrasings", known.Count));
        var devVectors = encoder.Encode(dev.Select(q => q.Text).ToList(), TextRole.Query, progress?.Begin("embedding dev questions", dev.Count));
        var centroids = known.Select((q, i) => (q.Intent, Vector: knownVectors[i]))
            .GroupBy(x => x.Intent, StringComparer.Ordinal)
            .Select(g => (Intent: g.Key, Vector: Centroid(g.Select(x => x.Vector).ToList())))
            .ToList();
        // The known phrasings as a catalogue (id = position), built like a served one: BM25 and exact cosine vectors.
        var phrasings = known.Select((q, i) => new Product(i.ToString(CultureInfo.InvariantCulture), q.Text, new Dictionary<string, string>())).ToList();
        using var corpus = CatalogueIndex.Build(phrasings, knownVectors, encoder, new CatalogueIndexOptions());
        var nearest = new List<(double Score, bool Right)>();
        int centroidRight = 0, bm25Right = 0;
        for (var d = 0; d < dev.Count; d++)
        {
            var best = corpus.Vectors.Search(devVectors[d], 1)[0];
            nearest.Add((best.Score, IntentOf(best.ProductId) == dev[d].Intent));
            centroidRight += centroids.MaxBy(c => VectorSimilarity.Cosine(devVectors[d], c.Vector)).Intent == dev[d].Intent ? 1 : 0;
            var hits = corpus.Keyword.Search(corpus.NormalizeQuery(dev[d].Text), 1);
            bm25Right += hits.Count > 0 && IntentOf(hits[0].ProductId) == dev[d].Intent ? 1 : 0;
        }

        var n = Math.Max(1, dev.Count);
        string IntentOf(string id) => known[int.Parse(id, CultureInfo.InvariantCulture)].Intent;
        return new FaqEvaluationResult(centroids.Count, known.Count, dev.Count,
        [
            new FaqResult($"dense ({encoderLabel}), nearest known phrasing", (double)nearest.Count(x => x.Right) / n),
            new FaqResult($"dense ({encoderLabel}), nearest intent centroid", (double)centroidRight / n),
            new FaqResult("BM25, nearest known phrasing", (double)bm25Right / n),
        ], Coverage(nearest));
    }

    /// <summary>Accuracy against coverage as the "no good match" threshold rises, at every distinct score.</summary>
    public static IReadOnlyList<CoveragePoint> Coverage(IReadOnlyList<(double Score, bool Right)> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return ScoreSweep.Run(answers)
            .Select(s => new CoveragePoint(s.Threshold, (double)s.Count / answers.Count, (double)s.Positives / s.Count))
            .ToList();
    }

    private static float[] Centroid(List<float[]> vectors)
    {
        var sum = new float[vectors[0].Length];
        foreach (var vector in vectors)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += vector[i];
            }
        }

        VectorSimilarity.Normalize(sum);
        return sum;
    }
}
