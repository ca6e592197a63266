using Microsoft.ML.OnnxRuntime;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// A cross-encoder on ONNX Runtime (CPU): each pair becomes "[CLS] query [SEP] product [SEP]" with token types 0 then
/// 1 (query at most <see cref="ModelConfig.MaxQueryLength"/> tokens, the pair at most <see cref="ModelConfig.MaxLength"/>),
/// pairs are sorted by length and batched, and the graph's score output is returned.
/// </summary>
/// <remarks>Thread-safe: tokenization is serialised, and ONNX Runtime sessions allow concurrent runs.</remarks>
public sealed class OnnxCrossEncoder : IOwnedPairScorer
{
    private readonly InferenceSession _session;
    private readonly TokenizerPool _tokenizers;
    private readonly string[] _outputNames;
    private readonly int _batchSize;

    private OnnxCrossEncoder(ModelDirectory model, InferenceSession session, WordPieceTokenizer tokenizer, EncoderOptions options)
    {
        Model = model;
        _session = session;
        _tokenizers = new TokenizerPool(tokenizer, model.Config.LowerCase);
        _batchSize = options.BatchSize;
        _outputNames = [model.Config.Output];
        Identity = $"{model.Config.Name}@{model.Fingerprint}";
    }

    /// <summary>The model directory.</summary>
    public ModelDirectory Model { get; }

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public bool ScoresRelevance => Model.Config.Score == CrossEncoderScore.Relevance;

    /// <summary>
    /// Loads a re-ranker from a model argument (<see cref="BundledModels.Resolve"/>), or an ensemble from several joined by
    /// '+' ("ce-minilm+ce-arctic", see <see cref="EnsemblePairScorer"/>).
    /// </summary>
    /// <exception cref="ModelFormatException">A member is not a cross-encoder, or not a model.</exception>
    public static IOwnedPairScorer Open(string model, string? store = null, EncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var members = new List<IOwnedPairScorer>();
        try
        {
            foreach (var member in model.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries))
            {
                members.Add(Create(BundledModels.Resolve(member, store), options));
            }
        }
        catch
        {
            members.ForEach(m => m.Dispose());
            throw;
        }

        return members.Count == 1 ? members[0] : new EnsemblePairScorer(members);
    }

    /// <summary>
    /// Where a re-ranker argument points, to record: <see cref="BundledModels.Location"/> of each
    /// '+'-joined member, so an ensemble of relative paths stays right from another working directory.
    /// </summary>
    public static string Location(string model) =>
        string.Join(EnsemblePairScorer.Separator, model.Split(EnsemblePairScorer.Separator, StringSplitOptions.TrimEntries).Select(BundledModels.Location));

    /// <summary>A name for reports: the model's name, or the members' names joined by '+'.</summary>
    public static string NameOf(IOwnedPairScorer scorer) => scorer switch
    {
        OnnxCrossEncoder single => single.Model.Config.Name,
        EnsemblePairScorer ensemble => string.Join(EnsemblePairScorer.Separator, ensemble.Members.Select(m => NameOf(m))),
        _ => scorer.Identity,
    };

    /// <summary>Loads a cross-encoder model directory.</summary>
    /// <exception cref="ModelFormatException">The model is a bi-encoder, or its graph lacks the expected inputs/outputs.</exception>
    public static OnnxCrossEncoder Create(ModelDirectory model, EncoderOptions? options = null)
    {
        options ??= new EncoderOptions();
        if (model.Config.Kind != ModelKind.CrossEncoder)
        {
            throw new ModelFormatException($"{model.Path} is a {model.Config.Kind} model; re-ranking needs a cross-encoder (semmatch train --objective cross)");
        }

        // Without spin-waiting: re-ranking the top 50 after a query embedding took half the time in benchmarks/search.
        var session = OnnxSessions.Open(model, options.Threads, allowSpinning: false);
        return new OnnxCrossEncoder(model, session, WordPieceTokenizer.Load(model.VocabPath, model.Config.LowerCase), options);
    }

    /// <inheritdoc />
    public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var pairs = Tokenize(query, texts);
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => pairs[i].Ids.Length).ToArray();
        var scores = new float[texts.Count];
        for (var start = 0; start < order.Length; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_batchSize, order.Length - start)).ToArray();
            var batchScores = Run(batch.Select(i => pairs[i]).ToList());
            for (var b = 0; b < batch.Length; b++)
            {
                scores[batch[b]] = batchScores[b];
            }
        }

        return scores;
    }

    /// <summary>Every pair as the model reads it: the query's tokens once per text, each text cut to what is left.</summary>
    public int CountTokens(string query, IReadOnlyList<string> texts) => Tokenize(query, texts).Sum(p => p.Ids.Length);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    // Query tokens ([CLS] q [SEP]) then product tokens without their [CLS] (p [SEP]), the product cut to what is left.
    private List<(long[] Ids, int QueryLength)> Tokenize(string query, IReadOnlyList<string> texts)
    {
        var config = Model.Config;
        var buffer = new long[config.MaxLength];
        var mask = new long[config.MaxLength];
        using var lease = _tokenizers.Rent();
        var queryLength = lease.Tokenizer.Encode(config.QueryPrefix + query, buffer.AsSpan(0, config.MaxQueryLength), mask);
        var queryIds = buffer[..queryLength];
        var room = config.MaxLength - queryLength + 1;
        return texts.Select(text =>
        {
            var count = lease.Tokenizer.Encode(config.DocumentPrefix + text, buffer.AsSpan(0, room), mask);
            return ((long[])[.. queryIds, .. buffer.AsSpan(1, count - 1)], queryLength);
        }).ToList();
    }

    private float[] Run(List<(long[] Ids, int QueryLength)> batch)
    {
        var seq = batch.Max(p => p.Ids.Length);
        var ids = new long[batch.Count * seq];
        var mask = new long[batch.Count * seq];
        var types = new long[batch.Count * seq];
        for (var b = 0; b < batch.Count; b++)
        {
            var (pair, queryLength) = batch[b];
            pair.CopyTo(ids, b * seq);
            mask.AsSpan(b * seq, pair.Length).Fill(1);
            types.AsSpan(b * seq + queryLength, pair.Length - queryLength).Fill(1);
        }

        using var outputs = OnnxSessions.Run(_session, ids, mask, types, batch.Count, seq, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
