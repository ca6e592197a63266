using System.Diagnostics;
using System.Text.Json;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Training.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>One dev query with its judged products, tokenized.</summary>
public sealed record DevQuery(long[] QueryTokens, IReadOnlyList<(string ProductId, long[] Tokens, double Relevance)> Candidates);

/// <summary>A line of metrics.jsonl.</summary>
public sealed record TrainingEvent(string Kind, int Epoch, int Step, double? Loss = null, double? LearningRate = null,
    double? PairsPerSecond = null, double? DevNdcg10 = null);

/// <summary>Receives training progress (the CLI shows a bar; tests ignore it).</summary>
public interface ITrainingObserver
{
    /// <summary>Called after every step and every dev evaluation.</summary>
    void OnEvent(TrainingEvent e, int totalSteps);
}

/// <summary>
/// Fine-tunes a bi-encoder (<see cref="BertEncoder"/> + the model's pooling, L2-normalised) on labelled pairs with the
/// chosen objective, evaluating re-ranking NDCG@10 on dev after every epoch, keeping the best epoch (early stopping
/// with patience), and exporting it into the base model's ONNX graph.
/// </summary>
public sealed class BiEncoderTrainer(TrainingOptions options, ITrainingObserver? observer = null)
{
    private const int EvalBatch = 64;

    /// <summary>
    /// Trains and writes the fine-tuned model directory; returns the dev NDCG@10 per epoch (epoch 0 = before).
    /// A checkpoint in <c>outputDirectory/checkpoint</c> is kept after every epoch and written on cancellation;
    /// <paramref name="resume"/> continues from it. It is deleted once the model is exported.
    /// </summary>
    public IReadOnlyList<double> Train(ModelDirectory baseModel, IReadOnlyList<TrainingPair> train, IReadOnlyList<DevQuery> dev,
        string outputDirectory, bool resume = false, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid();
        torch.manual_seed(options.Seed);
        using var encoder = OnnxBertWeights.Load(baseModel, options.Dropout);
        Directory.CreateDirectory(outputDirectory);
        using var metrics = new StreamWriter(Path.Combine(outputDirectory, "metrics.jsonl"), append: resume);
        var history = Fit(encoder, baseModel.Config.Pooling, train, dev, metrics, CheckpointDirectory(outputDirectory), resume, cancellationToken);
        metrics.Close();
        Export(encoder, baseModel, outputDirectory, history);
        TrainingPlots.Write(outputDirectory);
        if (Directory.Exists(CheckpointDirectory(outputDirectory)))
        {
            Directory.Delete(CheckpointDirectory(outputDirectory), recursive: true); // the run is complete; it held ~4x the model size
        }

        return history;
    }

    /// <summary>The checkpoint directory of a run writing to <paramref name="outputDirectory"/>.</summary>
    public static string CheckpointDirectory(string outputDirectory) => Path.Combine(outputDirectory, "checkpoint");

    /// <summary>
    /// The training loop on an encoder already built: leaves the best epoch's weights in <paramref name="encoder"/>
    /// (LoRA adapters merged) and returns the dev NDCG@10 per epoch (epoch 0 = before training). With a
    /// <paramref name="checkpointDirectory"/>, state is saved after each epoch and on cancellation, and
    /// <paramref name="resume"/> continues from it (exactly, when dropout is 0).
    /// </summary>
    public List<double> Fit(BertEncoder encoder, Pooling pooling, IReadOnlyList<TrainingPair> train, IReadOnlyList<DevQuery> dev,
        TextWriter? metrics = null, string? checkpointDirectory = null, bool resume = false, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid();
        if (dev.Count == 0)
        {
            throw new ArgumentException("no dev queries: early stopping and model selection need a dev set", nameof(dev));
        }

        if (resume && (checkpointDirectory is null || !Checkpoint.Exists(checkpointDirectory)))
        {
            throw new InvalidOperationException($"nothing to resume: no checkpoint in {checkpointDirectory ?? "(none given)"}");
        }

        torch.manual_seed(options.Seed);
        torch.set_num_threads(Environment.ProcessorCount);
        var trainable = Prepare(encoder);
        using var scale = new Parameter(tensor(10f));
        using var bias = new Parameter(tensor(-5f));
        if (options.Objective == Objective.Bce)
        {
            trainable.AddRange([scale, bias]);
        }

        var pairs = options.Objective == Objective.Mnrl ? train.Where(p => p.Relevance >= options.RelevantThreshold).ToList() : [.. train];
        if (pairs.Count < 2)
        {
            throw new ArgumentException($"only {pairs.Count} usable training pairs for {options.Objective}", nameof(train));
        }

        var distinct = options.Objective == Objective.Mnrl;
        var totalSteps = TrainingData.Batches(pairs, options.BatchSize, new Random(options.Seed), distinct).Count * options.Epochs;
        var warmup = (int)(totalSteps * options.WarmupRatio);
        using var optimizer = CreateOptimizer(trainable);
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
            (state, best) = Checkpoint.Load(checkpointDirectory!, encoder, optimizer, options);
            using (no_grad())
            {
                scale.copy_(tensor(state.Extra[0]));
                bias.copy_(tensor(state.Extra[1]));
            }
        }
        else
        {
            var before = DevNdcg(encoder, pooling, dev, cancellationToken);
            Emit(new TrainingEvent("dev", 0, 0, DevNdcg10: before));
            state = new TrainingState(1, 0, 0, [before], before, 0, [10f, -5f], options);
            best = Snapshot(encoder);
        }

        // Shuffling is replayed from the seed, so a resumed epoch sees the same batches in the same order.
        var random = new Random(options.Seed);
        for (var skipped = 1; skipped < state.Epoch; skipped++)
        {
            TrainingData.Batches(pairs, options.BatchSize, random, distinct);
        }

        var step = state.Step;
        while (state.Epoch <= options.Epochs && state.SinceBest < options.Patience)
        {
            var epoch = state.Epoch;
            encoder.train();
            var batches = TrainingData.Batches(pairs, options.BatchSize, random, distinct);
            for (var b = state.BatchesDone; b < batches.Count; b++)
            {
                if (cancellationToken.IsCancellationRequested && checkpointDirectory is not null)
                {
                    Checkpoint.Save(checkpointDirectory, state with { BatchesDone = b, Step = step, Extra = Extra(scale, bias) }, encoder, optimizer, best);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var batch = batches[b];
                var stopwatch = Stopwatch.StartNew();
                var learningRate = LearningRate(step, warmup, totalSteps);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                double loss;
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var queries = Embed(encoder, pooling, batch.Select(p => p.QueryTokens).ToList());
                    var products = Embed(encoder, pooling, batch.Select(p => p.ProductTokens).ToList());
                    var value = options.Objective switch
                    {
                        Objective.Mnrl => Losses.MultipleNegativesRanking(queries, products, options.Scale,
                            batch.All(p => p.NegativeTokens is not null) ? Embed(encoder, pooling, batch.Select(p => p.NegativeTokens!).ToList()) : null),
                        Objective.Bce => Losses.BinaryCrossEntropy(queries, products,
                            tensor(batch.Select(p => p.Relevance >= options.RelevantThreshold ? 1f : 0f).ToArray()), scale, bias),
                        _ => Losses.Cosent(queries, products, tensor(batch.Select(p => (float)p.Relevance).ToArray()), options.Scale),
                    };
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

            double ndcg;
            try
            {
                ndcg = DevNdcg(encoder, pooling, dev, cancellationToken);
            }
            catch (OperationCanceledException) when (checkpointDirectory is not null)
            {
                // The epoch's batches are done; a resume only repeats this evaluation.
                Checkpoint.Save(checkpointDirectory, state with { BatchesDone = batches.Count, Step = step, Extra = Extra(scale, bias) }, encoder, optimizer, best);
                throw;
            }

            Emit(new TrainingEvent("dev", epoch, step, DevNdcg10: ndcg));
            var improved = ndcg > state.BestNdcg;
            if (improved)
            {
                DisposeAll(best);
                best = Snapshot(encoder);
            }

            state = state with
            {
                Epoch = epoch + 1,
                BatchesDone = 0,
                Step = step,
                History = [.. state.History, ndcg],
                BestNdcg = improved ? ndcg : state.BestNdcg,
                SinceBest = improved ? 0 : state.SinceBest + 1,
                Extra = Extra(scale, bias),
            };
            if (checkpointDirectory is not null)
            {
                Checkpoint.Save(checkpointDirectory, state, encoder, optimizer, best);
            }
        }

        Restore(encoder, best);
        DisposeAll(best);
        MergeAdapters(encoder);
        return state.History;
    }

    private static float[] Extra(Tensor scale, Tensor bias) => [scale.item<float>(), bias.item<float>()];

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
            throw new InvalidOperationException("invalid training options: " + problem);
        }
    }

    // Freezing and LoRA: returns the parameters the optimizer updates.
    private List<Parameter> Prepare(BertEncoder encoder)
    {
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

            return encoder.Layers.SelectMany(l => new[] { l.Query, l.Key, l.Value }).SelectMany(p => p.AdapterParameters()).ToList();
        }

        if (options.FreezeLayers >= 0)
        {
            foreach (var parameter in encoder.EmbeddingParameters().Concat(encoder.Layers.Take(options.FreezeLayers).SelectMany(l => l.parameters())))
            {
                parameter.requires_grad = false;
            }
        }

        return encoder.parameters().Where(p => p.requires_grad).ToList();
    }

    private OptimizerHelper CreateOptimizer(List<Parameter> parameters) => options.Optimizer == OptimizerKind.Sgd
        ? optim.SGD(parameters, options.LearningRate, momentum: 0.9, weight_decay: options.WeightDecay)
        : optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);

    private double LearningRate(int step, int warmup, int total) =>
        step < warmup
            ? options.LearningRate * (step + 1) / Math.Max(1, warmup)
            : options.LearningRate * Math.Max(0, total - step) / Math.Max(1, total - warmup);

    /// <summary>Pooled, L2-normalised embeddings of token sequences (padded to the longest).</summary>
    internal static Tensor Embed(BertEncoder encoder, Pooling pooling, IReadOnlyList<long[]> sequences)
    {
        var length = sequences.Max(s => s.Length);
        var ids = new long[sequences.Count * length];
        var mask = new long[sequences.Count * length];
        for (var i = 0; i < sequences.Count; i++)
        {
            sequences[i].CopyTo(ids, i * length);
            mask.AsSpan(i * length, sequences[i].Length).Fill(1);
        }

        using var idTensor = tensor(ids, [sequences.Count, length]);
        using var maskTensor = tensor(mask, [sequences.Count, length]);
        var hidden = encoder.forward(idTensor, maskTensor);
        var m = maskTensor.unsqueeze(-1).to_type(ScalarType.Float32);
        var pooled = pooling switch
        {
            Pooling.Cls => hidden[TensorIndex.Colon, 0],
            Pooling.Max => (hidden + (1 - m) * -1e9f).amax([1]),
            _ => (hidden * m).sum(1) / m.sum(1),
        };
        return nn.functional.normalize(pooled, p: 2, dim: 1);
    }

    private static double DevNdcg(BertEncoder encoder, Pooling pooling, IReadOnlyList<DevQuery> dev, CancellationToken cancellationToken)
    {
        if (dev.Count == 0)
        {
            return double.NaN;
        }

        encoder.eval();
        using var _ = no_grad();
        var scaleMinimum = dev.SelectMany(q => q.Candidates).Min(c => c.Relevance);
        var scores = new List<double>();
        foreach (var query in dev)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var q = Embed(encoder, pooling, [query.QueryTokens]);
            var candidates = new List<ScoredCandidate>();
            foreach (var chunk in query.Candidates.Chunk(EvalBatch))
            {
                var p = Embed(encoder, pooling, chunk.Select(c => c.Tokens).ToList());
                var cosine = p.matmul(q.t()).squeeze(1).data<float>().ToArray();
                candidates.AddRange(chunk.Select((c, i) => new ScoredCandidate(c.ProductId, cosine[i], c.Relevance)));
            }

            if (RankingMetrics.NdcgAtK(candidates, 10, scaleMinimum) is { } ndcg)
            {
                scores.Add(ndcg);
            }
        }

        return scores.Count == 0 ? double.NaN : scores.Average();
    }

    private static void MergeAdapters(BertEncoder encoder)
    {
        foreach (var layer in encoder.Layers)
        {
            layer.Query.Merge();
            layer.Key.Merge();
            layer.Value.Merge();
        }
    }

    private void Export(BertEncoder encoder, ModelDirectory baseModel, string outputDirectory, List<double> history)
    {
        OnnxBertWeights.Export(encoder, baseModel, Path.Combine(outputDirectory, ModelDirectory.ModelFile));
        File.Copy(baseModel.VocabPath, Path.Combine(outputDirectory, ModelDirectory.VocabFile), overwrite: true);
        ModelDirectory.WriteConfig(outputDirectory, baseModel.Config with { Name = baseModel.Config.Name + "-ft" });
        File.WriteAllText(Path.Combine(outputDirectory, "training.json"), JsonSerializer.Serialize(new
        {
            baseModel = baseModel.Config.Name,
            baseFingerprint = baseModel.Fingerprint,
            options,
            devNdcg10ByEpoch = history,
            date = DateTimeOffset.UtcNow,
        }, s_indented));
    }

    // All parameters, LoRA adapters included, so the best epoch is restored exactly before adapters are merged.
    private static List<Tensor> Snapshot(BertEncoder encoder) =>
        encoder.parameters().Select(p => p.detach().clone()).ToList();

    private static void Restore(BertEncoder encoder, List<Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (parameter, saved) in encoder.parameters().Zip(weights))
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
