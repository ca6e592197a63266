using System.Collections.Concurrent;
using SemanticMatch.Core;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// Gathers single-text encodings from concurrent callers into one encoder call: the first waiting text starts a batch
/// that takes what else arrives within <see cref="MaxWait"/>, up to <see cref="MaxBatch"/> texts. Only
/// <see cref="EncodeOneAsync"/> (the search path, which awaits without holding a thread) is batched; bulk
/// <see cref="Encode"/> and synchronous <see cref="EncodeOne"/> calls pass straight through.
/// </summary>
/// <remarks>
/// Thread-safe. One background thread runs the batches, so concurrent queries cost one ONNX Runtime call instead of
/// one each; a lone query waits at most <see cref="MaxWait"/> more.
/// </remarks>
public sealed class MicroBatchingEncoder : ITextEncoder, IDisposable
{
    private readonly ITextEncoder _inner;
    private readonly bool _ownsInner;
    private readonly BlockingCollection<Pending> _queue = [];
    private readonly Thread _worker;

    /// <summary>Wraps <paramref name="inner"/>; disposing this disposes it too when <paramref name="ownsInner"/>.</summary>
    public MicroBatchingEncoder(ITextEncoder inner, int maxBatch = 16, bool ownsInner = false, TimeSpan? maxWait = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _inner = inner;
        _ownsInner = ownsInner;
        MaxBatch = maxBatch;
        MaxWait = maxWait ?? TimeSpan.FromMilliseconds(2);
        _worker = new Thread(Run) { IsBackground = true, Name = "semanticmatch-micro-batches" };
        _worker.Start();
    }

    /// <summary>Most texts in one encoder call.</summary>
    public int MaxBatch { get; }

    /// <summary>How long the first text of a batch waits for others.</summary>
    public TimeSpan MaxWait { get; }

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <inheritdoc />
    public string Identity => _inner.Identity;

    /// <inheritdoc />
    public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        _inner.Encode(texts, role, progress, cancellationToken);

    /// <inheritdoc />
    public float[] EncodeOne(string text, TextRole role) => _inner.EncodeOne(text, role);

    /// <inheritdoc />
    public int CountTokens(string text, TextRole role) => _inner.CountTokens(text, role);

    /// <inheritdoc />
    /// <remarks>A cancelled caller stops waiting at once; its text may still be encoded with the batch it joined.</remarks>
    public async ValueTask<float[]> EncodeOneAsync(string text, TextRole role, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(text, role);
        _queue.Add(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _queue.CompleteAdding();
        _worker.Join();
        _queue.Dispose();
        if (_ownsInner)
        {
            (_inner as IDisposable)?.Dispose();
        }
    }

    private void Run()
    {
        var batch = new List<Pending>(MaxBatch);
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Clear();
            batch.Add(first);
            var deadline = Environment.TickCount64 + (long)MaxWait.TotalMilliseconds;
            while (batch.Count < MaxBatch && _queue.TryTake(out var next, (int)Math.Max(0, deadline - Environment.TickCount64)))
            {
                batch.Add(next);
            }

            foreach (var group in batch.GroupBy(p => p.Role))
            {
                var items = group.ToList();
                try
                {
                    var vectors = _inner.Encode(items.Select(p => p.Text).ToList(), group.Key);
                    for (var i = 0; i < items.Count; i++)
                    {
                        items[i].Done.SetResult(vectors[i]);
                    }
                }
                catch (Exception e)
                {
                    items.ForEach(p => p.Done.SetException(e));
                }
            }
        }
    }

    private sealed class Pending(string text, TextRole role)
    {
        public string Text { get; } = text;

        public TextRole Role { get; } = role;

        public TaskCompletionSource<float[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
