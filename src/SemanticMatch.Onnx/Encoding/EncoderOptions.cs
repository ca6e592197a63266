using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>Run-time settings of <see cref="OnnxEncoder"/>; null values take the model config's.</summary>
public sealed record EncoderOptions
{
    private readonly int _batchSize = 32;
    private readonly int _threads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Overrides the config's pooling (e.g. to compare mean, max and CLS).</summary>
    public Pooling? Pooling { get; init; }

    /// <summary>Overrides the config's token limit.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Texts per forward pass; texts are sorted by length first so a batch pads little.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "must be >= 1");
    }

    /// <summary>ONNX Runtime intra-op threads (default: all cores).</summary>
    public int Threads
    {
        get => _threads;
        init => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "must be >= 1");
    }

    /// <summary>
    /// How many forward passes of one <see cref="OnnxEncoder.Encode"/> call run at once (default 1: one after another,
    /// each on <see cref="Threads"/> threads). The server, whose sessions run one thread each so that concurrent
    /// requests are the parallelism, sets it to the cores: a bulk write or a generation build from one caller then uses
    /// them all, and concurrent requests still share them.
    /// </summary>
    public int BatchParallelism
    {
        get => _batchParallelism;
        init => _batchParallelism = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchParallelism), value, "must be >= 1");
    }

    private readonly int _batchParallelism = 1;

    /// <summary>
    /// Whether ONNX Runtime's idle threads spin waiting for work: fastest for one caller at a time (the CLI); a server
    /// with many concurrent callers turns it off so spinning threads do not take the cores from running ones.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;
}
