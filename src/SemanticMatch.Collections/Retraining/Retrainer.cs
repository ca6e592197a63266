using System.Globalization;
using System.Text;
using System.Text.Json;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Collections.Retraining;

/// <summary>What a retraining run asks the trainer for (files it wrote, the model to start from, where to write the new one).</summary>
/// <param name="Judgments">The training judgments CSV (query,product_id,relevance,...; relevance an estimated probability).</param>
/// <param name="Dev">The judgments to select the training epoch by: the caller's dev set, else a sample of the training judgments (never the held-out slice).</param>
/// <param name="Products">The products CSV (product_id and the collection's fields).</param>
/// <param name="Fields">The fields the collection embeds, in order.</param>
/// <param name="BaseModel">The serving model (a bundled name or a model directory).</param>
/// <param name="Output">The directory the new model goes to.</param>
/// <param name="RelevantThreshold">Relevance at or above which a judgment is a positive (0.5 for estimated probabilities, 2 for naive grades).</param>
public sealed record TrainingJob(string Judgments, string Dev, string Products, IReadOnlyList<string> Fields, string BaseModel, string Output,
    double RelevantThreshold);

/// <summary>How a retraining run goes.</summary>
public sealed record RetrainOptions
{
    /// <summary>The part of the window, at its end, kept out of training to compare the models on (a later time slice).</summary>
    public double HoldoutShare { get; init; } = 0.2;

    /// <summary>How much better the candidate's held-out NDCG@10 must be for a new generation.</summary>
    public double Margin { get; init; } = 0.005;

    /// <summary>How the log becomes judgments.</summary>
    public JudgmentOptions Judgments { get; init; } = new();

    /// <summary>A judgments CSV to select the training epoch by; null = a sample of the training judgments (<see cref="SelectionQueries"/>).</summary>
    public string? Dev { get; init; }

    /// <summary>
    /// With no <see cref="Dev"/>: how many training queries (spread over them in order) select the epoch. Scoring every
    /// training judgment before and after each epoch cost more than the training itself (86,000 judgments, ~7 min
    /// each time on two cores).
    /// </summary>
    public int SelectionQueries { get; init; } = 500;

    /// <summary>When false, the decision is recorded but no generation is started (a dry run).</summary>
    public bool StartGeneration { get; init; } = true;
}

/// <summary>What a retraining run did and decided, as written to <c>retrain-decision.json</c> in the new model's directory.</summary>
/// <param name="Collection">The collection.</param>
/// <param name="From">Start of the log window.</param>
/// <param name="Split">Where training ends and the held-out slice begins.</param>
/// <param name="To">End of the window.</param>
/// <param name="TrainJudgments">Judgments trained on (searches before the split).</param>
/// <param name="HeldOutJudgments">Judgments compared on (searches from the split on).</param>
/// <param name="HeldOutQueries">Held-out queries that could be ranked (judged products of more than one relevance).</param>
/// <param name="ServingModel">The model serving when the run began.</param>
/// <param name="CandidateModel">The model trained.</param>
/// <param name="ServingNdcg">NDCG@10 of the serving model ranking each held-out query's judged products.</param>
/// <param name="CandidateNdcg">The same for the candidate.</param>
/// <param name="Promoted">Whether the candidate was better by the margin.</param>
/// <param name="Generation">The generation started for it, or null.</param>
/// <param name="Reason">The decision in words.</param>
public sealed record RetrainDecision(string Collection, DateTimeOffset From, DateTimeOffset Split, DateTimeOffset To, int TrainJudgments,
    int HeldOutJudgments, int HeldOutQueries, string ServingModel, string CandidateModel, double? ServingNdcg, double? CandidateNdcg, bool Promoted,
    int? Generation, string Reason)
{
    /// <summary>The file in the new model's directory that records the decision.</summary>
    public const string FileName = "retrain-decision.json";
}

/// <summary>
/// The learning loop as one call: the collection's log over a window becomes judgments (the click model of
/// <see cref="RetrainOptions.Judgments"/>); searches before the split train a model from the serving one, those after
/// it judge both (the data is written to <c>OUTPUT-data</c>); when the candidate ranks the held-out judged products better by the margin, a new generation starts
/// with it. The decision is written beside the model either way. Training itself is the caller's (it needs TorchSharp,
/// which this library does not carry): the <c>train</c> argument of <see cref="RunAsync"/>.
/// </summary>
public static class Retrainer
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs the loop; see the type's summary.</summary>
    /// <exception cref="InvalidRequestException">Too little evidence on either side of the split.</exception>
    public static async Task<RetrainDecision> RunAsync(ICollectionStore store, IFeedbackStore log, IModelProvider models, string collection,
        DateTimeOffset from, DateTimeOffset to, string output, Func<TrainingJob, CancellationToken, Task> train, RetrainOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new RetrainOptions();
        var info = await store.DescribeAsync(collection, cancellationToken).ConfigureAwait(false);
        var split = from + ((to - from) * (1 - options.HoldoutShare));
        var entries = new List<TrafficEntry>();
        await foreach (var entry in log.ReadAsync(collection, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        // A search belongs to the side of the split it was logged on; its events follow it whenever they arrived.
        var trainIds = entries.Where(e => e.Search is { } && e.Time >= from && e.Time < split).Select(e => e.Search!.QueryId).ToHashSet(StringComparer.Ordinal);
        var heldIds = entries.Where(e => e.Search is { } && e.Time >= split && e.Time < to).Select(e => e.Search!.QueryId).ToHashSet(StringComparer.Ordinal);
        var trained = JudgmentEstimator.Estimate(Only(entries, trainIds), options.Judgments);
        var heldOut = JudgmentEstimator.Estimate(Only(entries, heldIds), options.Judgments);
        if (trained.Judgments.Count == 0 || heldOut.Judgments.Count == 0)
        {
            throw new InvalidRequestException(
                $"collection '{collection}': {trained.Judgments.Count} judgments before {split:u} and {heldOut.Judgments.Count} after it; retraining needs both (more traffic, a longer window, or a lower minimum evidence)");
        }

        var work = Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar) + "-data"; // beside the model: the trainer wants an empty directory
        Directory.CreateDirectory(work);
        var judgmentsFile = Path.Combine(work, "judgments.csv");
        await File.WriteAllTextAsync(judgmentsFile, trained.ToCsv(), cancellationToken).ConfigureAwait(false);
        var products = await ProductsAsync(store, collection, trained.Judgments.Concat(heldOut.Judgments).Select(j => j.ProductId), cancellationToken)
            .ConfigureAwait(false);
        var productsFile = Path.Combine(work, "products.csv");
        await File.WriteAllTextAsync(productsFile, ProductsCsv(products.Values, info.Settings.Fields), cancellationToken).ConfigureAwait(false);

        var threshold = options.Judgments.ClickModel == ClickModel.Naive ? 2 : 0.5;
        var dev = options.Dev;
        if (dev is null)
        {
            dev = Path.Combine(work, "selection.csv");
            await File.WriteAllTextAsync(dev, (trained with { Judgments = Selection(trained.Judgments, threshold, options.SelectionQueries) }).ToCsv(),
                cancellationToken).ConfigureAwait(false);
        }

        await train(new TrainingJob(judgmentsFile, dev, productsFile, info.Settings.Fields, info.Settings.Model, output,
            threshold), cancellationToken).ConfigureAwait(false);

        var candidateModel = Path.GetFullPath(output);
        var servingNdcg = Ndcg(heldOut, products, info.Settings, models, info.Settings.Model, out var queries);
        var candidateNdcg = Ndcg(heldOut, products, info.Settings, models, candidateModel, out _);
        var better = servingNdcg is { } s && candidateNdcg is { } c && c - s >= options.Margin;
        int? generation = better && options.StartGeneration
            ? await store.StartGenerationAsync(collection, info.Settings with { Model = candidateModel }, cancellationToken).ConfigureAwait(false)
            : null;
        var reason = (servingNdcg, candidateNdcg) switch
        {
            (null, _) or (_, null) => "no held-out query could be ranked (each needs judged products of more than one relevance): kept the serving model",
            _ when !better => $"held-out NDCG@10 {F(candidateNdcg)} against {F(servingNdcg)}: not better by {F(options.Margin)}, kept the serving model",
            _ when generation is null => $"held-out NDCG@10 {F(candidateNdcg)} against {F(servingNdcg)}: better by the margin (dry run: no generation started)",
            _ => $"held-out NDCG@10 {F(candidateNdcg)} against {F(servingNdcg)}: better by the margin, generation {generation} started",
        };
        var decision = new RetrainDecision(collection, from, split, to, trained.Judgments.Count, heldOut.Judgments.Count, queries, info.Settings.Model,
            candidateModel, servingNdcg, candidateNdcg, generation is not null || (better && !options.StartGeneration), generation, reason);
        await File.WriteAllTextAsync(Path.Combine(output, RetrainDecision.FileName),
            JsonSerializer.Serialize(decision, s_json), cancellationToken).ConfigureAwait(false);
        return decision;
    }

    // Up to `count` queries' judgments, every k-th of the queries (in order) that have a positive and a negative to rank.
    private static List<EstimatedJudgment> Selection(IReadOnlyList<EstimatedJudgment> judgments, double threshold, int count)
    {
        var rankable = judgments.GroupBy(j => j.Query, StringComparer.Ordinal)
            .Where(g => g.Any(j => j.Relevance >= threshold) && g.Any(j => j.Relevance < threshold))
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var step = Math.Max(1, (rankable.Count + count - 1) / Math.Max(1, count));
        var chosen = rankable.Where((_, i) => i % step == 0).SelectMany(g => g).ToList();
        return chosen.Count > 0 ? chosen : [.. judgments]; // nothing rankable: the trainer says so about the whole set
    }

    private static IEnumerable<TrafficEntry> Only(List<TrafficEntry> entries, HashSet<string> queryIds) =>
        entries.Select(e => e with
        {
            Search = e.Search is { } s && queryIds.Contains(s.QueryId) ? s : null,
            Events = e.Events?.Where(v => queryIds.Contains(v.QueryId)).ToList(),
        }).Where(e => e.Search is not null || e.Events is { Count: > 0 });

    // The judged products as the collection holds them now (private fields left out; a product deleted since is skipped).
    private static async Task<Dictionary<string, Record>> ProductsAsync(ICollectionStore store, string collection, IEnumerable<string> ids,
        CancellationToken cancellationToken)
    {
        var products = new Dictionary<string, Record>(StringComparer.Ordinal);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (await store.FindAsync(collection, id, cancellationToken).ConfigureAwait(false) is { } record)
            {
                products[id] = record;
            }
        }

        return products;
    }

    private static string ProductsCsv(IEnumerable<Record> products, IReadOnlyList<string> fields)
    {
        var csv = new StringBuilder("product_id," + string.Join(',', fields.Select(CsvField.Quote)) + "\n");
        foreach (var product in products)
        {
            csv.Append(CsvField.Quote(product.Id));
            foreach (var field in fields)
            {
                csv.Append(',').Append(CsvField.Quote(product.Text(field) ?? string.Empty));
            }

            csv.Append('\n');
        }

        return csv.ToString();
    }

    // Mean NDCG@10 of a model ranking each held-out query's judged products (relevance the estimated probability).
    private static double? Ndcg(JudgmentSet heldOut, Dictionary<string, Record> products, CollectionSettings settings, IModelProvider models, string model,
        out int queries)
    {
        var searcher = new CollectionSearcher("retrain", settings with { Model = model }, CollectionModels.Load(settings with { Model = model }, models, null));
        var scores = new List<double>();
        foreach (var query in heldOut.Judgments.GroupBy(j => j.Query, StringComparer.Ordinal))
        {
            var judged = query.Where(j => products.ContainsKey(j.ProductId)).ToList();
            if (judged.Count < 2)
            {
                continue;
            }

            var queryVector = searcher.Encoder.Encode([query.Key], TextRole.Query)[0];
            var vectors = searcher.Embed(judged.Select(j => products[j.ProductId]).ToList(), CancellationToken.None);
            var candidates = judged.Select((j, i) => new ScoredCandidate(j.ProductId, VectorSimilarity.Score(settings.Metric, queryVector, vectors[i]), j.Relevance)).ToList();
            if (RankingMetrics.NdcgAtK(candidates, 10, 0) is { } ndcg)
            {
                scores.Add(ndcg);
            }
        }

        queries = scores.Count;
        return scores.Count == 0 ? null : scores.Average();
    }

    private static string F(double? value) => value?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-";
}
