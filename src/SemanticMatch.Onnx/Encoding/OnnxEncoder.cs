using Microsoft.ML.OnnxRuntime;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// A bi-encoder on ONNX Runtime (CPU): tokenize -> sort by length -> batch -> transformer -> masked pooling -> L2 normalise.
/// </summary>
/// <remarks>Thread-safe: each call rents a tokenizer from a pool, and ONNX Runtime sessions allow concurrent runs.</remarks>
public sealed class OnnxEncoder : ITextEncoder, IDisposable
{
    private readonly InferenceSession _session;
    private readonly TokenizerPool _tokenizers;
    private readonly string[] _outputNames;
    private readonly int _maxLength;
    private readonly int _batchSize;
    private readonly int _batchParallelism;
    private readonly System.Collections.Concurrent.ConcurrentBag<TokenBuffers> _queryBuffers = [];

    private OnnxEncoder(ModelDirectory model, InferenceSession session, WordPieceTokenizer tokenizer, EncoderOptions options)
    {
        _session = session;
        _tokenizers = new TokenizerPool(tokenizer, model.Config.LowerCase);
        _batchSize = options.BatchSize;
        _batchParallelism = options.BatchParallelism;
        _maxLength = options.MaxLength ?? model.Config.MaxLength;
        Pooling = options.Pooling ?? model.Config.Pooling;
        Model = model;
        Dimension = session.OutputMetadata[model.Config.Output].Dimensions[^1] is var d && d > 0 ? d : model.Config.Dimension;
        _outputNames = [model.Config.Output];
        Identity = $"{model.Config.Name}@{model.Fingerprint}/pool={Pooling.ToString().ToLowerInvariant()}/max={_maxLength}";
    }

    /// <summary>The model directory.</summary>
    public ModelDirectory Model { get; }

    /// <summary>The pooling in force.</summary>
    public Pooling Pooling { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public string Identity { get; }

    /// <summary>Loads the model and its vocabulary.</summary>
    /// <exception cref="ModelFormatException">The model is a cross-encoder, or its graph lacks the expected inputs/outputs.</exception>
    public static OnnxEncoder Create(ModelDirectory model, EncoderOptions? options = null)
    {
        options ??= new EncoderOptions();
        if (model.Config.Kind != ModelKind.BiEncoder)
        {
            throw new ModelFormatException($"{model.Path} is a {model.Config.Kind} model; embedding needs a bi-encoder");
        }

        var session = OnnxSessions.Open(model, options.Threads, options.AllowSpinning);
        return new OnnxEncoder(model, session, WordPieceTokenizer.Load(model.VocabPath, model.Config.LowerCase), options);
    }

    /// <summary>Encodes one query (with the model's query prefix).</summary>
    public float[] EncodeQuery(string query) => EncodeOne(query, TextRole.Query);

    /// <inheritdoc />
    public int CountTokens(string text, TextRole role)
    {
        using var lease = _tokenizers.Rent();
        return lease.Tokenizer.Encode(PrefixOf(role) + text, _maxLength).Length;
    }

    /// <summary>
    /// The query path: one text, no sorting or batching, token buffers taken from a pool (no per-call buffer
    /// allocation), tensors created over those buffers without copying.
    /// </summary>
    public float[] EncodeOne(string text, TextRole role)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var buffers = _queryBuffers.TryTake(out var pooled) ? pooled : new TokenBuffers(_maxLength);
        try
        {
            int count;
            var prefixed = PrefixOf(role) + text;
            using (var lease = _tokenizers.Rent())
            {
                count = lease.Tokenizer.Encode(prefixed, buffers.Ids, buffers.Mask);
            }

            var vector = new float[Dimension];
            Run(buffers.Ids.AsMemory(0, count), buffers.Mask.AsMemory(0, count), buffers.TokenTypes.AsMemory(0, count), 1, count,
                (hidden, _) => Pool(hidden, buffers.Mask.AsSpan(0, count), vector));
            EncoderMetrics.Record(Model.Config.Name, 1, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return vector;
        }
        finally
        {
            _queryBuffers.Add(buffers);
        }
    }

    private string PrefixOf(TextRole role) => role == TextRole.Query ? Model.Config.QueryPrefix : Model.Config.DocumentPrefix;

    /// <inheritdoc />
    public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var tokenized = Tokenize(texts, PrefixOf(role));
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokenized[i].Length).ToArray();
        var result = new float[texts.Count][];
        var done = 0;
        var batches = Enumerable.Range(0, (order.Length + _batchSize - 1) / _batchSize)
            .Select(b => order.AsSpan(b * _batchSize, Math.Min(_batchSize, order.Length - (b * _batchSize))).ToArray()).ToList();
        void Run(int[] batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunBatch(tokenized, batch, result);
            progress?.Report(Interlocked.Add(ref done, batch.Length));
        }

        if (_batchParallelism == 1)
        {
            batches.ForEach(Run);
        }
        else
        {
            // Each batch fills its own rows of the result, so batches may run at once; a failure surfaces as itself.
            try
            {
                Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = _batchParallelism }, Run);
            }
            catch (AggregateException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        }

        EncoderMetrics.Record(Model.Config.Name, texts.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private long[][] Tokenize(IReadOnlyList<string> texts, string prefix)
    {
        var ids = new long[_maxLength];
        var mask = new long[_maxLength];
        var result = new long[texts.Count][];
        using var lease = _tokenizers.Rent();
        for (var i = 0; i < texts.Count; i++)
        {
            var count = lease.Tokenizer.Encode(prefix + texts[i], ids, mask);
            result[i] = ids[..count];
        }

        return result;
    }

    private void RunBatch(long[][] tokenized, int[] batch, float[][] result)
    {
        var seq = batch.Max(i => tokenized[i].Length);
        var ids = new long[batch.Length * seq];
        var mask = new long[batch.Length * seq];
        for (var b = 0; b < batch.Length; b++)
        {
            var tokens = tokenized[batch[b]];
            tokens.CopyTo(ids, b * seq);
            mask.AsSpan(b * seq, tokens.Length).Fill(1);
        }

        Run(ids, mask, new long[ids.Length], batch.Length, seq, (hidden, stride) =>
        {
            for (var b = 0; b < batch.Length; b++)
            {
                var vector = new float[Dimension];
                Pool(hidden.Slice(b * stride, stride), mask.AsSpan(b * seq, seq), vector);
                result[batch[b]] = vector;
            }
        });
    }

    // Runs the graph on [batch, seq] inputs (tensors wrap the given memory, no copy) and hands the token vectors on.
    private void Run(Memory<long> ids, Memory<long> mask, Memory<long> tokenTypes, int batch, int seq, HiddenHandler handle)
    {
        using var outputs = OnnxSessions.Run(_session, ids, mask, tokenTypes, batch, seq, _outputNames);
        handle(outputs[0].GetTensorDataAsSpan<float>(), seq * Dimension);
    }

    private void Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<long> mask, float[] vector)
    {
        Pooler.Pool(hidden, mask, Pooling, vector);
        if (Model.Config.Normalize)
        {
            VectorSimilarity.Normalize(vector);
        }
    }

    private delegate void HiddenHandler(ReadOnlySpan<float> hidden, int stride);

    /// <summary>Reusable token buffers for the query path; token types stay zero.</summary>
    private sealed class TokenBuffers(int maxLength)
    {
        public long[] Ids { get; } = new long[maxLength];

        public long[] Mask { get; } = new long[maxLength];

        public long[] TokenTypes { get; } = new long[maxLength];
    }
}
