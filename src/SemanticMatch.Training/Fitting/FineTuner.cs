using System.Diagnostics;
using System.Text.Json;
using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using SemanticMatch.Training.CrossEncoding;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>One dev query with its judged products, tokenized.</summary>
public sealed record DevQuery(long[] QueryTokens, IReadOnlyList<(string ProductId, long[] Tokens, double Relevance)> Candidates);

/// <summary>A line of metrics.jsonl: a training step, or a dev evaluation (<paramref name="DevScore"/> by <paramref name="DevMetric"/>).</summary>
public sealed record TrainingEvent(string Kind, int Epoch, int Step, double? Loss = null, double? LearningRate = null,
    double? PairsPerSecond = null, double? DevScore = null, string? DevMetric = null);

/// <summary>The dev metric that selected the epoch and its value per epoch (epoch 0 = before training).</summary>
public sealed record TrainingHistory(DevMetric Metric, IReadOnlyList<double> Scores);

/// <summary>Receives training progress (the CLI shows a bar; tests ignore it).</summary>
public interface ITrainingObserver
{
    /// <summary>Called after every step and every dev evaluation.</summary>
    void OnEvent(TrainingEvent e, int totalSteps);
}

/// <summary>
/// Fine-tunes a <see cref="TrainableModel"/> (bi-encoder or cross-encoder) on labelled pairs with the chosen objective,
/// evaluating the dev metric (<see cref="TrainingOptions.SelectBy"/>) after every epoch, keeping the best epoch (early
/// stopping with patience), and exporting it into the base model's ONNX graph.
/// </summary>
public sealed class FineTuner(TrainingOptions options, ITrainingObserver? observer = null)
{
    /// <summary>
    /// Trains and writes the fine-tuned model directory; returns the dev metric per epoch (epoch 0 = before).
    /// A checkpoint in <c>outputDirectory/checkpoint</c> is kept after every epoch and written on cancellation;
    /// <paramref name="resume"/> continues from it. It is deleted once the model is exported.
    /// </summary>
    public TrainingHistory Train(ModelDirectory baseModel, IReadOnlyList<TrainingPair> train, IReadOnlyList<DevQuery> dev,
        string outputDirectory, bool resume = false, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid();
        torch.manual_seed(options.Seed);
        using var model = LoadModel(baseModel, options, RelevanceRange(train));
        Directory.CreateDirectory(outputDirectory);
        using var metrics = new StreamWriter(Path.Combine(outputDirectory, "metrics.jsonl"), append: resume);
        var history = new TrainingHistory(SelectedMetric(options.SelectBy, dev),
            Fit(model, train, dev, metrics, CheckpointDirectory(outputDirectory), resume, cancellationToken));
        metrics.Close();
        model.Export(baseModel, outputDirectory);
        WriteRecord(baseModel, outputDirectory, history);
        TrainingPlots.Write(outputDirectory);
        if (Directory.Exists(CheckpointDirectory(outputDirectory)))
        {
            Directory.Delete(CheckpointDirectory(outputDirectory), recursive: true); // the run is complete; it held ~4x the model size
        }

        return history;
    }

    /// <summary>The model the objective trains, starting from <paramref name="baseModel"/>.</summary>
    /// <param name="baseModel">Bi-encoder (or, for a cross-encoder objective, a cross-encoder to continue).</param>
    /// <param name="options">The objective decides between bi- and cross-encoder.</param>
    /// <param name="relevanceRange">Label range a graded cross-encoder predicts in (see <see cref="RelevanceRange"/>).</param>
    public static TrainableModel LoadModel(ModelDirectory baseModel, TrainingOptions options, (double Min, double Max) relevanceRange) =>
        options.IsCrossEncoder ? CrossEncoderModel.Load(baseModel, options, relevanceRange)
        : options.Objective == Objective.Mlm ? MaskedLanguageModel.Load(baseModel, options)
        : BiEncoderModel.Load(baseModel, options);

    /// <summary>The checkpoint directory of a run writing to <paramref name="outputDirectory"/>.</summary>
    public static string CheckpointDirectory(string outputDirectory) => Path.Combine(outputDirectory, "checkpoint");

    /// <summary>Lowest and highest relevance among the training pairs (a graded cross-encoder's output range).</summary>
    public static (double Min, double Max) RelevanceRange(IReadOnlyList<TrainingPair> train) =>
        train.Count == 0 ? (0, 0) : (train.Min(p => p.Relevance), train.Max(p => p.Relevance));

    /// <summary>
    /// The training loop on a model already built: leaves the best epoch's weights in <paramref name="model"/>
    /// (LoRA adapters merged) and returns the dev metric per epoch (epoch 0 = before training). With a
    /// <paramref name="checkpointDirectory"/>, state is saved after each epoch and on cancellation, and
    /// <paramref name="resume"/> continues from it (exactly, when dropout is 0).
    /// </summary>
    public List<double> Fit(TrainableModel model, IReadOnlyList<TrainingPair> train, IReadOnlyList<DevQuery> dev,
        TextWriter? metrics = null, string? checkpointDirectory = null, bool resume = false, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid();
        if (dev.Count == 0)
        {
            throw new InvalidRequestException("no dev queries: early stopping and model selection need a dev set");
        }

        if (resume && (checkpointDirectory is null || !Checkpoint.Exists(checkpointDirectory)))
        {
            throw new InvalidRequestException($"nothing to resume: no checkpoint in {checkpointDirectory ?? "(none given)"}");
        }

        torch.manual_seed(options.Seed);
        torch.set_num_threads(Environment.ProcessorCount);
        var trainable = Prepare(model);
        var pairs = model.UsablePairs(train);
        if (pairs.Count < 2)
        {
            throw new InvalidRequestException($"only {pairs.Count} usable training pairs for {options.Objective}");
        }

        var distinct = model.DistinctBatches;
        var byQuery = model.QueryBatches;
        var totalSteps = Batches(new Random(options.Seed)).Count * options.Epochs;
        var warmup = (int)(totalSteps * options.WarmupRatio);
        var metric = SelectedMetric(options.SelectBy, dev);
        using var optimizer = CreateOptimizer(trainable, WordEmbeddings(model.Encoder));
        List<List<TrainingPair>> Batches(Random random) => byQuery
            ? TrainingData.QueryBatches(pairs, options.BatchSize, random)
            : TrainingData.Batches(pairs, options.BatchSize, random, distinct);

        void Emit(TrainingEvent e)
        {
            metrics?.WriteLine(JsonSerializer.Serialize(e, s_json));
            metrics?.Flush();
            observer?.OnEvent(e, totalSteps);
        }

        TrainingState state;
        List<Tensor> best;
        if (resume)
        {
            (state, best) = Checkpoint.Load(checkpointDirectory!, model, optimizer, options);
        }
        else
        {
            var before = DevEvaluation.Score(model, dev, metric, options.RelevantThreshold, cancellationToken);
            Emit(new TrainingEvent("dev", 0, 0, DevScore: before, DevMetric: DevEvaluation.Name(metric)));
            state = new TrainingState(1, 0, 0, [before], before, 0, options);
            best = Snapshot(model);
        }

        // Shuffling is replayed from the seed, so a resumed epoch sees the same batches in the same order.
        var random = new Random(options.Seed);
        for (var skipped = 1; skipped < state.Epoch; skipped++)
        {
            Batches(random);
        }

        var step = state.Step;
        while (state.Epoch <= options.Epochs && state.SinceBest < options.Patience)
        {
            var epoch = state.Epoch;
            model.train();
            var batches = Batches(random);
            for (var b = state.BatchesDone; b < batches.Count; b++)
            {
                if (cancellationToken.IsCancellationRequested && checkpointDirectory is not null)
                {
                    Checkpoint.Save(checkpointDirectory, state with { BatchesDone = b, Step = step }, model, optimizer, best);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var batch = batches[b];
                var stopwatch = Stopwatch.StartNew();
                var factor = ScheduleFactor(step, warmup, totalSteps);
                var learningRate = options.LearningRate * factor;
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = group.InitialLearningRate * factor;
                }

                double loss;
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var value = model.Loss(batch);
                    value.backward();
                    if (options.MaxGradNorm > 0)
                    {
                        nn.utils.clip_grad_norm_(trainable, options.MaxGradNorm);
                    }

                    optimizer.step();
                    loss = value.item<float>();
                }

                step++;
                Emit(new TrainingEvent("step", epoch, step, loss, learningRate, batch.Count / stopwatch.Elapsed.TotalSeconds));
            }

            double score;
            try
            {
                score = DevEvaluation.Score(model, dev, metric, options.RelevantThreshold, cancellationToken);
            }
            catch (OperationCanceledException) when (checkpointDirectory is not null)
            {
                // The epoch's batches are done; a resume only repeats this evaluation.
                Checkpoint.Save(checkpointDirectory, state with { BatchesDone = batches.Count, Step = step }, model, optimizer, best);
                throw;
            }

            Emit(new TrainingEvent("dev", epoch, step, DevScore: score, DevMetric: DevEvaluation.Name(metric)));
            var improved = score > state.BestNdcg || !model.SelectsEpochByDev;
            if (improved)
            {
                DisposeAll(best);
                best = Snapshot(model);
            }

            state = state with
            {
                Epoch = epoch + 1,
                BatchesDone = 0,
                Step = step,
                History = [.. state.History, score],
                BestNdcg = improved ? score : state.BestNdcg,
                SinceBest = improved ? 0 : state.SinceBest + 1,
            };
            if (checkpointDirectory is not null)
            {
                Checkpoint.Save(checkpointDirectory, state, model, optimizer, best);
            }
        }

        Restore(model, best);
        DisposeAll(best);
        MergeAdapters(model.Encoder);
        return state.History;
    }

    private static readonly JsonSerializerOptions s_indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    private void ThrowIfInvalid()
    {
        if (options.Problem() is { } problem)
        {
            throw new InvalidRequestException("invalid training options: " + problem);
        }
    }

    // Freezing and LoRA apply to the encoder; the model's head is always trained. Returns what the optimizer updates.
    private List<Parameter> Prepare(TrainableModel model)
    {
        var encoder = model.Encoder;
        if (options.LoraRank > 0)
        {
            foreach (var parameter in encoder.parameters())
            {
                parameter.requires_grad = false;
            }

            var generator = new Generator((ulong)options.Seed);
            foreach (var layer in encoder.Layers)
            {
                foreach (var projection in new[] { layer.Query, layer.Key, layer.Value })
                {
                    projection.AttachAdapter(options.LoraRank, options.LoraAlpha, generator);
                }
            }

            return encoder.Layers.SelectMany(l => new[] { l.Query, l.Key, l.Value }).SelectMany(p => p.AdapterParameters())
                .Concat(model.HeadParameters()).ToList();
        }

        if (options.FreezeLayers >= 0)
        {
            foreach (var parameter in encoder.EmbeddingParameters().Concat(encoder.Layers.Take(options.FreezeLayers).SelectMany(l => l.parameters())))
            {
                parameter.requires_grad = false;
            }
        }

        return encoder.parameters().Where(p => p.requires_grad).Concat(model.HeadParameters()).ToList();
    }

    /// <summary>The metric <paramref name="selectBy"/> means for this dev set (<see cref="DevMetric.Auto"/> resolved by its shape).</summary>
    public static DevMetric SelectedMetric(DevMetric selectBy, IReadOnlyList<DevQuery> dev) =>
        selectBy != DevMetric.Auto ? selectBy
        : dev.Count > 0 && dev.Average(q => q.Candidates.Count) >= 2 ? DevMetric.Ndcg
        : DevMetric.Auc;

    // The word embedding matrix as the optimizer must see it: TorchSharp hands out a new wrapper (and handle) per enumeration,
    // so it is told apart by name and returned with requires_grad so the caller can match it by position.
    private static Parameter? WordEmbeddings(BertEncoder encoder) =>
        encoder.named_parameters().FirstOrDefault(p => p.name == "_word.weight" && p.parameter.requires_grad).parameter;

    // Two parameter groups when the word embeddings have a learning rate of their own; each group's schedule scales its own peak.
    private OptimizerHelper CreateOptimizer(List<Parameter> parameters, Parameter? word)
    {
        var separate = options.EmbeddingLearningRate is { } rate && rate != options.LearningRate && word is not null && options.LoraRank == 0;
        if (!separate)
        {
            return options.Optimizer == OptimizerKind.Sgd
                ? optim.SGD(parameters, options.LearningRate, momentum: 0.9, weight_decay: options.WeightDecay)
                : optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);
        }

        // The encoder's parameters come first in the trainable list and the word embeddings (registered first) lead them.
        if (!parameters[0].shape.SequenceEqual(word!.shape))
        {
            throw new InvalidOperationException("the trainable parameters do not start with the word embeddings");
        }

        var rest = parameters.Skip(1).ToList();
        var embeddingRate = options.EmbeddingLearningRate!.Value;
        return options.Optimizer == OptimizerKind.Sgd
            ? optim.SGD([new SGD.ParamGroup(rest, options.LearningRate, 0.9, weight_decay: options.WeightDecay),
                new SGD.ParamGroup([parameters[0]], embeddingRate, 0.9, weight_decay: options.WeightDecay)], options.LearningRate)
            : optim.AdamW([new AdamW.ParamGroup(rest, options.LearningRate, weight_decay: options.WeightDecay),
                new AdamW.ParamGroup([parameters[0]], embeddingRate, weight_decay: options.WeightDecay)], options.LearningRate);
    }

    // Linear warm-up to 1, then linear decay to 0.
    private static double ScheduleFactor(int step, int warmup, int total) =>
        step < warmup ? (double)(step + 1) / Math.Max(1, warmup) : (double)Math.Max(0, total - step) / Math.Max(1, total - warmup);

    private static void MergeAdapters(BertEncoder encoder)
    {
        foreach (var layer in encoder.Layers)
        {
            layer.Query.Merge();
            layer.Key.Merge();
            layer.Value.Merge();
        }
    }

    private void WriteRecord(ModelDirectory baseModel, string outputDirectory, TrainingHistory history) =>
        File.WriteAllText(Path.Combine(outputDirectory, "training.json"), JsonSerializer.Serialize(new
        {
            baseModel = baseModel.Config.Name,
            baseFingerprint = baseModel.Fingerprint,
            options,
            devMetric = DevEvaluation.Name(history.Metric),
            devByEpoch = history.Scores,
            date = DateTimeOffset.UtcNow,
        }, s_indented));

    // All parameters, LoRA adapters and head included, so the best epoch is restored exactly before adapters are merged.
    private static List<Tensor> Snapshot(TrainableModel model) =>
        model.parameters().Select(p => p.detach().clone()).ToList();

    private static void Restore(TrainableModel model, List<Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (parameter, saved) in model.parameters().Zip(weights))
        {
            parameter.copy_(saved);
        }
    }

    private static void DisposeAll(List<Tensor> tensors)
    {
        foreach (var t in tensors)
        {
            t.Dispose();
        }
    }
}
