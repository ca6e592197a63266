using Google.Protobuf;
using Onnx;
using SemanticMatch.Onnx.Models;
using static TorchSharp.torch;

namespace SemanticMatch.Training.CrossEncoding;

/// <summary>
/// The cross-encoder head in ONNX, appended to the encoder graph after its token vectors:
/// Gather([CLS]) -> Gemm(pooler) -> Tanh -> Gemm(classifier) -> logits, then Softmax + Gather(label 1) for a
/// probability, or Gather(0) -> Sigmoid -> Mul(max - min) -> Add(min) for a graded relevance, as output "score" [batch].
/// The head's initializers are named <c>head.*</c>, so a cross-encoder graph can be read back and trained further.
/// </summary>
internal static class CrossEncoderGraph
{
    public const string ScoreOutput = "score";
    private const string PoolerWeight = "head.pooler.weight";
    private const string PoolerBias = "head.pooler.bias";
    private const string ClassifierWeight = "head.classifier.weight";
    private const string ClassifierBias = "head.classifier.bias";
    private const string ScoreMinimum = "head.score_min";
    private const string ScoreSpan = "head.score_span";
    private const string FirstIndex = "head.index_0";
    private const string SecondIndex = "head.index_1";

    /// <summary>
    /// Writes the head's weights: into the existing <c>head.*</c> initializers when <paramref name="source"/> is a
    /// cross-encoder, else as new nodes after the token vectors, the graph's only output becoming "score".
    /// </summary>
    public static void WriteHead(ModelProto model, ModelConfig source, CrossEncoderModel head)
    {
        var graph = model.Graph;
        var values = HeadValues(head);
        var existing = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        if (source.Kind == ModelKind.CrossEncoder)
        {
            foreach (var (name, dims, data) in values)
            {
                OnnxTensors.WriteRaw<float>(existing[name], data);
            }

            return;
        }

        foreach (var (name, dims, data) in values)
        {
            graph.Initializer.Add(OnnxTensors.Create<float>(name, TensorProto.Types.DataType.Float, dims, data));
        }

        graph.Initializer.Add(OnnxTensors.Create<long>(FirstIndex, TensorProto.Types.DataType.Int64, [], [0L]));
        graph.Node.Add(Node("Gather", [source.Output, FirstIndex], "head.cls", Int("axis", 1)));
        graph.Node.Add(Node("Gemm", ["head.cls", PoolerWeight, PoolerBias], "head.pooler_linear", Int("transB", 1)));
        graph.Node.Add(Node("Tanh", ["head.pooler_linear"], "head.pooled"));
        graph.Node.Add(Node("Gemm", ["head.pooled", ClassifierWeight, ClassifierBias], "logits", Int("transB", 1)));
        if (head.Graded)
        {
            graph.Node.Add(Node("Gather", ["logits", FirstIndex], "head.logit", Int("axis", 1)));
            graph.Node.Add(Node("Sigmoid", ["head.logit"], "head.unit"));
            graph.Node.Add(Node("Mul", ["head.unit", ScoreSpan], "head.scaled"));
            graph.Node.Add(Node("Add", ["head.scaled", ScoreMinimum], ScoreOutput));
        }
        else
        {
            graph.Initializer.Add(OnnxTensors.Create<long>(SecondIndex, TensorProto.Types.DataType.Int64, [], [1L]));
            graph.Node.Add(Node("Softmax", ["logits"], "head.probabilities", Int("axis", 1)));
            graph.Node.Add(Node("Gather", ["head.probabilities", SecondIndex], ScoreOutput, Int("axis", 1)));
        }

        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto
        {
            Name = ScoreOutput,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" } } },
                },
            },
        });
    }

    /// <summary>Loads a cross-encoder graph's head into <paramref name="head"/>.</summary>
    /// <exception cref="ModelFormatException">A head initializer is missing or has another shape.</exception>
    public static void ReadHead(ModelProto model, CrossEncoderModel head)
    {
        var initializers = model.Graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, parameter) in HeadParameters(head))
        {
            if (!initializers.TryGetValue(name, out var stored) || stored.Dims.Aggregate(1L, (a, b) => a * b) != parameter.numel())
            {
                throw new ModelFormatException($"cross-encoder graph has no {name} of {parameter.numel()} values");
            }

            using var value = tensor(OnnxTensors.ReadFloats(stored), parameter.shape);
            parameter.copy_(value);
        }
    }

    /// <summary>
    /// Starts the pooler from the graph's BERT pooler ("pooler.dense.*", as BertForSequenceClassification does) when the
    /// exported encoder has one (MiniLM does; ArcticXs does not, and keeps the fresh initialisation).
    /// </summary>
    public static void ReadBertPooler(ModelProto model, CrossEncoderModel head)
    {
        var graph = model.Graph;
        var weight = graph.Initializer.FirstOrDefault(i => i.Name == "pooler.dense.weight");
        var bias = graph.Initializer.FirstOrDefault(i => i.Name == "pooler.dense.bias");
        var hidden = head.Encoder.Config.Hidden;
        if (weight is null || bias is null || weight.Dims.Count != 2 || weight.Dims[0] != hidden || weight.Dims[1] != hidden)
        {
            return;
        }

        // Gemm(x, W, transB=1) stores W as torch does, [out, in]; a MatMul stores it [in, out].
        var consumer = graph.Node.FirstOrDefault(n => n.Input.Contains(weight.Name));
        var torchLayout = consumer is { OpType: "Gemm" } && consumer.Attribute.Any(a => a.Name == "transB" && a.I == 1);
        using var _ = no_grad();
        using var w = tensor(OnnxTensors.ReadFloats(weight), [hidden, hidden]);
        using var wt = torchLayout ? w.alias() : w.t().contiguous();
        using var b = tensor(OnnxTensors.ReadFloats(bias), [hidden]);
        head.Pooler.weight!.copy_(wt);
        head.Pooler.bias!.copy_(b);
    }

    private static IEnumerable<(string Name, Tensor Parameter)> HeadParameters(CrossEncoderModel head) =>
    [
        (PoolerWeight, head.Pooler.weight!), (PoolerBias, head.Pooler.bias!),
        (ClassifierWeight, head.Classifier.weight!), (ClassifierBias, head.Classifier.bias!),
    ];

    private static List<(string Name, long[] Dims, float[] Data)> HeadValues(CrossEncoderModel head)
    {
        var values = HeadParameters(head)
            .Select(p => (p.Name, p.Parameter.shape, p.Parameter.detach().contiguous().data<float>().ToArray()))
            .ToList();
        if (head.Graded)
        {
            values.Add((ScoreMinimum, [], [(float)head.RelevanceRange.Min]));
            values.Add((ScoreSpan, [], [(float)(head.RelevanceRange.Max - head.RelevanceRange.Min)]));
        }

        return values;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes) => new()
    {
        Name = "head." + op.ToLowerInvariant() + "_" + output.Replace("head.", string.Empty, StringComparison.Ordinal),
        OpType = op,
        Input = { inputs },
        Output = { output },
        Attribute = { attributes },
    };

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
