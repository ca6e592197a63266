using System.Text.Json.Serialization;
using Onnx;
using SemanticMatch.Core.Text;
using SemanticMatch.Onnx.Encoding;

namespace SemanticMatch.Onnx.Models;

/// <summary>How the embedding rows of added tokens start.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NewTokenInit>))]
public enum NewTokenInit
{
    /// <summary>
    /// Drawn per dimension from a normal with the mean and standard deviation of the existing rows: new characters are
    /// distinct from the start (attention can tell "机" from "壳" before training moves them), on the rows' scale.
    /// </summary>
    [JsonStringEnumMemberName("random")]
    Random,

    /// <summary>A copy of the <c>[UNK]</c> row: the extended model encodes every text exactly as before until training moves the rows.</summary>
    [JsonStringEnumMemberName("unk")]
    Unk,
}

/// <summary>What <see cref="VocabularyExtension.Extend"/> wrote.</summary>
/// <param name="Model">The extended model directory.</param>
/// <param name="Added">Tokens appended to the vocabulary.</param>
public sealed record ExtendedModel(ModelDirectory Model, IReadOnlyList<string> Added);

/// <summary>
/// Adds CJK characters to a model directory's WordPiece vocabulary, character by character as Chinese BERT models
/// hold them (BERT's tokenizer already splits every ideograph into a word of its own, so each added character is
/// found whole): the tokens go at the end of <c>vocab.txt</c> (existing ids keep their meaning), the ONNX graph's word
/// embedding matrix gains one row per token, and the config records the new vocabulary so a model and an index
/// built with another vocabulary are told apart.
/// </summary>
public static class VocabularyExtension
{
    /// <summary>Name of the word embedding initializer in our BERT graphs.</summary>
    public const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>
    /// The CJK characters of <paramref name="texts"/> (ideographs of the Basic Multilingual Plane and CJK punctuation)
    /// that <paramref name="tokenizer"/> reads as <c>[UNK]</c>, seen at least <paramref name="minCount"/> times, most
    /// frequent first (ties in code-point order).
    /// </summary>
    public static IReadOnlyList<string> MissingCjkCharacters(WordPieceTokenizer tokenizer, IEnumerable<string> texts, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new Dictionary<char, int>();
        foreach (var text in texts)
        {
            foreach (var c in text)
            {
                if (Scripts.IsCjk(c) || c is >= '\u3000' and <= '\u303F')
                {
                    counts[c] = counts.GetValueOrDefault(c) + 1;
                }
            }
        }

        var unknown = tokenizer.UnknownId;
        return counts.Where(kv => kv.Value >= minCount && tokenizer.Encode(kv.Key.ToString(), 3) is [_, var id, _] && id == unknown)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Select(kv => kv.Key.ToString())
            .ToList();
    }

    /// <summary>
    /// Writes a copy of <paramref name="source"/> into <paramref name="outputDirectory"/> with <paramref name="tokens"/>
    /// appended to its vocabulary and embedding rows initialised by <paramref name="init"/> (seeded).
    /// </summary>
    /// <exception cref="ModelFormatException">
    /// A token is already in the vocabulary or repeated, the graph has no word embedding matrix of the vocabulary's size,
    /// or the output directory is not empty.
    /// </exception>
    public static ExtendedModel Extend(ModelDirectory source, IReadOnlyList<string> tokens, string outputDirectory, NewTokenInit init, int seed)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tokens);
        if (Directory.Exists(outputDirectory) && Directory.EnumerateFileSystemEntries(outputDirectory).Any())
        {
            throw new ModelFormatException($"output directory '{outputDirectory}' is not empty");
        }

        var vocabulary = File.ReadAllLines(source.VocabPath);
        var known = vocabulary.ToHashSet(StringComparer.Ordinal);
        if (tokens.FirstOrDefault(t => !known.Add(t)) is { } repeated)
        {
            throw new ModelFormatException($"token '{repeated}' is already in {source.VocabPath} or given twice");
        }

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source.ModelPath));
        var embeddings = graph.Graph.Initializer.FirstOrDefault(i => i.Name == WordEmbeddings)
            ?? throw new ModelFormatException($"{source.ModelPath} has no '{WordEmbeddings}' initializer");
        if (embeddings.Dims.Count != 2 || embeddings.Dims[0] != vocabulary.Length)
        {
            throw new ModelFormatException(
                $"{source.ModelPath}: '{WordEmbeddings}' is [{string.Join(", ", embeddings.Dims)}], not [{vocabulary.Length}, dimension] as vocab.txt says");
        }

        var unknown = Array.IndexOf(vocabulary, "[UNK]");
        var rows = OnnxTensors.ReadFloats(embeddings);
        var extended = Grow(rows, (int)embeddings.Dims[1], tokens.Count, init, unknown, seed);
        embeddings.Dims[0] = vocabulary.Length + tokens.Count;
        OnnxTensors.WriteRaw<float>(embeddings, extended);

        Directory.CreateDirectory(outputDirectory);
        using (var file = File.Create(Path.Combine(outputDirectory, ModelDirectory.ModelFile)))
        {
            Google.Protobuf.MessageExtensions.WriteTo(graph, file);
        }

        var vocabPath = Path.Combine(outputDirectory, ModelDirectory.VocabFile);
        File.WriteAllLines(vocabPath, [.. vocabulary, .. tokens]);
        var added = (source.Config.Vocabulary?.Added ?? 0) + tokens.Count;
        ModelDirectory.WriteConfig(outputDirectory, source.Config with
        {
            Name = source.Config.Vocabulary is null ? source.Config.Name + "-cjk" : source.Config.Name,
            Vocabulary = VocabularyRecord.Of(vocabPath, added),
        });
        return new ExtendedModel(ModelDirectory.Open(outputDirectory), tokens);
    }

    private static float[] Grow(float[] rows, int dimension, int count, NewTokenInit init, int unknown, int seed)
    {
        var existing = rows.Length / dimension;
        var grown = new float[rows.Length + (count * dimension)];
        rows.CopyTo(grown, 0);
        if (init == NewTokenInit.Unk)
        {
            if (unknown < 0)
            {
                throw new ModelFormatException("the vocabulary has no [UNK] token to copy");
            }

            for (var t = 0; t < count; t++)
            {
                Array.Copy(rows, unknown * dimension, grown, (existing + t) * dimension, dimension);
            }

            return grown;
        }

        var mean = new double[dimension];
        var square = new double[dimension];
        for (var r = 0; r < existing; r++)
        {
            for (var d = 0; d < dimension; d++)
            {
                var v = rows[(r * dimension) + d];
                mean[d] += v;
                square[d] += v * v;
            }
        }

        var random = new Random(seed);
        for (var t = 0; t < count; t++)
        {
            for (var d = 0; d < dimension; d++)
            {
                var m = mean[d] / existing;
                var std = Math.Sqrt(Math.Max(0, (square[d] / existing) - (m * m)));
                // Box-Muller: a standard normal from two uniforms.
                var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                grown[((existing + t) * dimension) + d] = (float)(m + (std * normal));
            }
        }

        return grown;
    }
}
