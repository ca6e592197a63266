using System.Text.Json;
using SemanticMatch.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>Where a training run stands: enough to continue it exactly (with dropout 0) after an interruption.</summary>
/// <param name="Epoch">The epoch to run next (1-based).</param>
/// <param name="BatchesDone">Batches of that epoch already trained.</param>
/// <param name="Step">Optimizer steps so far.</param>
/// <param name="History">Dev NDCG@10 per finished epoch, epoch 0 first.</param>
/// <param name="BestNdcg">Best dev NDCG@10 so far.</param>
/// <param name="SinceBest">Epochs since the best one.</param>
/// <param name="Options">The options of the run, which a resume must repeat.</param>
public sealed record TrainingState(int Epoch, int BatchesDone, int Step, List<double> History, double BestNdcg, int SinceBest,
    TrainingOptions Options);

/// <summary>
/// A resumable checkpoint directory: model weights (adapters and head included), optimizer state, the best epoch's weights
/// and <see cref="TrainingState"/>. Written after every epoch and when training is interrupted.
/// </summary>
internal static class Checkpoint
{
    private const string StateFile = "state.json";
    private const string ModelFile = "model.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string BestFile = "best.bin";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, StateFile));

    public static void Save(string directory, TrainingState state, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, IReadOnlyList<Tensor> best)
    {
        var staging = directory + ".writing";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        model.save(Path.Combine(staging, ModelFile));
        optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
        using (var writer = new BinaryWriter(File.Create(Path.Combine(staging, BestFile))))
        {
            writer.Write(best.Count);
            foreach (var tensor in best)
            {
                var data = tensor.data<float>().ToArray();
                writer.Write(data.Length);
                foreach (var value in data)
                {
                    writer.Write(value);
                }
            }
        }

        File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state, s_json));
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Move(staging, directory); // a checkpoint is either complete or absent
    }

    /// <summary>Loads weights and optimizer state into the given objects; returns the state and the best weights.</summary>
    public static (TrainingState State, List<Tensor> Best) Load(string directory, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingOptions options)
    {
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(directory, StateFile)), s_json)
            ?? throw new InvalidDataException($"{directory}: empty checkpoint state");
        // Compared as written: the options hold a list, which record equality compares by reference.
        if (JsonSerializer.Serialize(state.Options, s_json) != JsonSerializer.Serialize(options, s_json))
        {
            throw new InvalidRequestException(
                $"{directory} was written with other training options; resume with the same options or start a new run in another directory");
        }

        model.load(Path.Combine(directory, ModelFile));
        optimizer.load_state_dict(Path.Combine(directory, OptimizerFile));
        var best = new List<Tensor>();
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, BestFile)));
        var parameters = model.parameters().ToList();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var data = new float[reader.ReadInt32()];
            for (var j = 0; j < data.Length; j++)
            {
                data[j] = reader.ReadSingle();
            }

            best.Add(tensor(data, parameters[i].shape));
        }

        return (state, best);
    }
}
