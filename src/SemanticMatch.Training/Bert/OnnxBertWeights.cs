using Google.Protobuf;
using Onnx;
using SemanticMatch.Onnx.Models;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Bert;

/// <summary>
/// Moves BERT weights between our ONNX model graphs and <see cref="BertEncoder"/>. Embeddings, LayerNorms and biases
/// keep their Hugging Face names in the graph; each weight MatMul is anonymous but feeds an Add with a named
/// <c>*.bias</c>, which names it (<c>*.weight</c>), stored [in, out], the transpose of a torch Linear.
/// </summary>
public static class OnnxBertWeights
{
    /// <summary>Reads the encoder shape from a graph's initializers.</summary>
    public static BertConfig ReadConfig(ModelProto model, double dropout)
    {
        var weights = NameWeights(model.Graph);
        var word = weights["embeddings.word_embeddings.weight"];
        var hidden = (int)word.Dims[1];
        return new BertConfig
        {
            VocabularySize = (int)word.Dims[0],
            Hidden = hidden,
            Layers = ReadLayerCount(model.Graph),
            Heads = ReadHeads(model.Graph, hidden),
            Intermediate = (int)weights["encoder.layer.0.intermediate.dense.weight"].Dims[1],
            MaxPositions = (int)weights["embeddings.position_embeddings.weight"].Dims[0],
            TypeVocabularySize = (int)weights["embeddings.token_type_embeddings.weight"].Dims[0],
            Dropout = dropout,
        };
    }

    /// <summary>The number of transformer layers whose weights the graph holds.</summary>
    public static int ReadLayerCount(GraphProto graph) => graph.Initializer
        .Where(i => i.Name.StartsWith("encoder.layer.", StringComparison.Ordinal))
        .Select(i => int.Parse(i.Name.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture))
        .DefaultIfEmpty(-1)
        .Max() + 1;

    /// <summary>
    /// The attention head count: the exported graphs reshape to [batch, sequence, heads, head size] with a Concat of
    /// constants, so the first pair of constants multiplying to the hidden size gives it (12 x 32 for MiniLM);
    /// BERT's usual head size of 64 is the fallback.
    /// </summary>
    internal static int ReadHeads(GraphProto graph, int hidden)
    {
        var constants = graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Int64 && i.Dims.Aggregate(1L, (a, b) => a * b) == 1)
            .Select(i => (i.Name, Value: Int64Value(i)))
            .Concat(graph.Node.Where(n => n.OpType == "Constant" && n.Attribute.Count == 1 && n.Attribute[0].T is { } t
                    && t.DataType == (int)TensorProto.Types.DataType.Int64 && t.Dims.Aggregate(1L, (a, b) => a * b) == 1)
                .Select(n => (Name: n.Output[0], Value: Int64Value(n.Attribute[0].T))))
            .GroupBy(c => c.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        foreach (var concat in graph.Node.Where(n => n.OpType == "Concat"))
        {
            for (var i = 0; i + 1 < concat.Input.Count; i++)
            {
                if (constants.TryGetValue(concat.Input[i], out var heads) && constants.TryGetValue(concat.Input[i + 1], out var size)
                    && heads > 0 && heads * size == hidden)
                {
                    return (int)heads;
                }
            }
        }

        return Math.Max(1, hidden / 64);
    }

    private static long Int64Value(TensorProto tensor) =>
        tensor.RawData.Length >= sizeof(long) ? BitConverter.ToInt64(tensor.RawData.Span) : tensor.Int64Data.FirstOrDefault();

    /// <summary>Builds an encoder from a model directory's ONNX graph.</summary>
    /// <param name="model">The model directory.</param>
    /// <param name="dropout">Dropout while training.</param>
    /// <param name="layers">Transformer layers to keep (<see cref="LayerPruning.KeptLayers"/>); 0 keeps all.</param>
    /// <exception cref="ModelFormatException">The graph is not a fp32 BERT of the expected layout, or has fewer layers.</exception>
    public static BertEncoder Load(ModelDirectory model, double dropout, int layers = 0) => Load(model, ReadGraph(model), dropout, layers);

    /// <summary>Builds an encoder from <paramref name="model"/>'s graph, already parsed by <see cref="ReadGraph"/>.</summary>
    /// <param name="model">The model directory.</param>
    /// <param name="graph">Its parsed graph.</param>
    /// <param name="dropout">Dropout while training.</param>
    /// <param name="layers">Transformer layers to keep (<see cref="LayerPruning.KeptLayers"/>); 0 keeps all.</param>
    /// <exception cref="ModelFormatException">The graph is not a fp32 BERT of the expected layout, or has fewer layers.</exception>
    public static BertEncoder Load(ModelDirectory model, ModelProto graph, double dropout, int layers = 0)
    {
        if (model.Config.Precision != WeightPrecision.Fp32)
        {
            throw new ModelFormatException($"{model.Path} is {model.Config.Precision}; fine-tune from the fp32 model");
        }

        var config = ReadConfig(graph, dropout);
        if (layers > config.Layers)
        {
            throw new ModelFormatException($"{model.Path} has {config.Layers} transformer layers; cannot keep {layers}");
        }

        var kept = LayerPruning.KeptLayers(config.Layers, layers > 0 ? layers : config.Layers);
        var encoder = new BertEncoder(config with { Layers = kept.Count });
        var weights = NameWeights(graph.Graph);
        using (no_grad())
        {
            foreach (var (name, parameter, transposed) in encoder.NamedWeights())
            {
                if (!weights.TryGetValue(SourceName(name, kept), out var tensor))
                {
                    throw new ModelFormatException($"{model.ModelPath}: no weight for {name}");
                }

                using var value = ToTensor(tensor, transposed);
                parameter.copy_(value);
            }
        }

        return encoder;
    }

    // The weight of a kept layer's parameter: encoder.layer.J.* comes from encoder.layer.kept[J].*.
    private static string SourceName(string name, IReadOnlyList<int> kept)
    {
        const string Prefix = "encoder.layer.";
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return name;
        }

        var dot = name.IndexOf('.', Prefix.Length);
        var layer = int.Parse(name.AsSpan(Prefix.Length, dot - Prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
        return $"{Prefix}{kept[layer]}{name[dot..]}";
    }

    /// <summary>
    /// Writes <paramref name="encoder"/>'s weights into a copy of <paramref name="source"/>'s graph at
    /// <paramref name="targetOnnx"/>: same nodes, new initializer data.
    /// </summary>
    public static void Export(BertEncoder encoder, ModelDirectory source, string targetOnnx)
    {
        var graph = ReadGraph(source);
        WriteWeights(encoder, graph);
        Save(graph, targetOnnx);
    }

    /// <summary>Parses a model directory's ONNX graph.</summary>
    public static ModelProto ReadGraph(ModelDirectory model) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.ModelPath));

    /// <summary>Writes a graph to a file.</summary>
    public static void Save(ModelProto graph, string path)
    {
        using var file = File.Create(path);
        graph.WriteTo(file);
    }

    /// <summary>
    /// Replaces the data of the graph's BERT initializers with <paramref name="encoder"/>'s weights, first cutting the
    /// graph to the encoder's layer count when it was pruned (<see cref="LayerPruning.Truncate"/>).
    /// </summary>
    public static void WriteWeights(BertEncoder encoder, ModelProto graph)
    {
        LayerPruning.Truncate(graph, encoder.Config.Layers);
        var weights = NameWeights(graph.Graph);
        foreach (var (name, parameter, transposed) in encoder.NamedWeights())
        {
            using var value = transposed ? parameter.detach().t().contiguous() : parameter.detach().contiguous();
            OnnxTensors.WriteRaw<float>(weights[name], value.data<float>().ToArray());
        }
    }

    /// <summary>Every fp32 weight of a BERT graph by Hugging Face name.</summary>
    internal static Dictionary<string, TensorProto> NameWeights(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var named = graph.Initializer.Where(i => i.Name.StartsWith("embeddings.", StringComparison.Ordinal)
                || i.Name.StartsWith("encoder.", StringComparison.Ordinal))
            .ToDictionary(i => i.Name, StringComparer.Ordinal);
        var consumers = graph.Node.SelectMany(n => n.Input.Select(input => (input, n))).ToLookup(x => x.input, x => x.n);
        foreach (var matMul in graph.Node.Where(n => n.OpType == "MatMul" && initializers.ContainsKey(n.Input[1])))
        {
            var bias = consumers[matMul.Output[0]].Where(n => n.OpType == "Add")
                .SelectMany(n => n.Input)
                .FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && initializers.ContainsKey(i));
            if (bias is not null && bias.StartsWith("encoder.", StringComparison.Ordinal))
            {
                named[bias[..^".bias".Length] + ".weight"] = initializers[matMul.Input[1]];
            }
        }

        return named;
    }

    private static Tensor ToTensor(TensorProto proto, bool transposed)
    {
        var value = tensor(OnnxTensors.ReadFloats(proto), [.. proto.Dims]);
        return transposed ? value.t().contiguous() : value;
    }
}
