using Google.Protobuf;
using Onnx;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Quantization;

/// <summary>What <see cref="Int8Quantizer"/> did.</summary>
/// <param name="Path">The quantized model directory.</param>
/// <param name="RewrittenMatMuls">Weight MatMuls now running in int8.</param>
/// <param name="SourceBytes">Size of the fp32 model.onnx.</param>
/// <param name="QuantizedBytes">Size of the int8 model.onnx.</param>
public sealed record QuantizationResult(string Path, int RewrittenMatMuls, long SourceBytes, long QuantizedBytes);

/// <summary>
/// Rewrites every MatMul whose second input is a 2-D fp32 weight initializer into ONNX Runtime's
/// <c>com.microsoft.DynamicQuantizeMatMul</c>: weights stored as int8 with one symmetric scale per output column,
/// activations quantized to uint8 on the fly. Works on any graph of our model format (bi- or cross-encoder);
/// activation-by-activation MatMuls (attention scores) stay fp32.
/// </summary>
/// <remarks>
/// Written by hand because ONNX Runtime's quantization tool is Python-only. Per-column symmetric scales
/// (zero point 0) are what ONNX Runtime's own dynamic quantizer produces with per_channel=True for MatMul weights.
/// </remarks>
public static class Int8Quantizer
{
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>Writes an int8 copy of <paramref name="source"/> into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="ModelFormatException">The source is already int8, or the output directory is not empty.</exception>
    public static QuantizationResult Quantize(ModelDirectory source, string outputDirectory)
    {
        if (source.Config.Precision == WeightPrecision.Int8Weights)
        {
            throw new ModelFormatException($"{source.Path} is already int8");
        }

        if (Directory.Exists(outputDirectory) && Directory.EnumerateFileSystemEntries(outputDirectory).Any())
        {
            throw new ModelFormatException($"output directory '{outputDirectory}' is not empty");
        }

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source.ModelPath));
        var rewritten = Rewrite(model.Graph);
        if (model.OpsetImport.All(o => o.Domain != MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        Directory.CreateDirectory(outputDirectory);
        var modelPath = Path.Combine(outputDirectory, ModelDirectory.ModelFile);
        using (var file = File.Create(modelPath))
        {
            model.WriteTo(file);
        }

        File.Copy(source.VocabPath, Path.Combine(outputDirectory, ModelDirectory.VocabFile));
        ModelDirectory.WriteConfig(outputDirectory, source.Config with { Name = source.Config.Name + "-int8", Precision = WeightPrecision.Int8Weights });
        return new QuantizationResult(outputDirectory, rewritten, new FileInfo(source.ModelPath).Length, new FileInfo(modelPath).Length);
    }

    private static int Rewrite(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var rewritten = 0;
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "MatMul" || !initializers.TryGetValue(node.Input[1], out var weight)
                || weight.DataType != (int)TensorProto.Types.DataType.Float || weight.Dims.Count != 2)
            {
                continue;
            }

            var (values, scales) = QuantizeColumns(OnnxTensors.ReadFloats(weight), (int)weight.Dims[0], (int)weight.Dims[1]);
            var prefix = weight.Name + "_int8";
            graph.Initializer.Add(Int8Tensor(prefix, weight.Dims, values));
            graph.Initializer.Add(FloatTensor(prefix + "_scale", [weight.Dims[1]], scales));
            graph.Initializer.Add(Int8Tensor(prefix + "_zero_point", [weight.Dims[1]], new sbyte[scales.Length]));
            var quantized = new NodeProto
            {
                Name = (string.IsNullOrEmpty(node.Name) ? prefix : node.Name) + "_quant",
                OpType = "DynamicQuantizeMatMul",
                Domain = MicrosoftDomain,
                Input = { node.Input[0], prefix, prefix + "_scale", prefix + "_zero_point" },
                Output = { node.Output[0] },
            };
            graph.Node[i] = quantized;
            if (--uses[weight.Name] == 0)
            {
                graph.Initializer.Remove(weight);
                RemoveGraphInput(graph, weight.Name);
            }

            rewritten++;
        }

        return rewritten;
    }

    /// <summary>Symmetric per-column int8: scale_j = max_k |W[k, j]| / 127, q = round(W / scale_j).</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizeColumns(float[] weights, int rows, int columns)
    {
        var scales = new float[columns];
        for (var k = 0; k < rows; k++)
        {
            for (var j = 0; j < columns; j++)
            {
                scales[j] = Math.Max(scales[j], Math.Abs(weights[k * columns + j]));
            }
        }

        for (var j = 0; j < columns; j++)
        {
            scales[j] = scales[j] > 0 ? scales[j] / 127f : 1f;
        }

        var values = new sbyte[weights.Length];
        for (var k = 0; k < rows; k++)
        {
            for (var j = 0; j < columns; j++)
            {
                values[k * columns + j] = (sbyte)Math.Clamp(MathF.Round(weights[k * columns + j] / scales[j]), -127, 127);
            }
        }

        return (values, scales);
    }

    private static TensorProto Int8Tensor(string name, IEnumerable<long> dims, sbyte[] values) =>
        OnnxTensors.Create<sbyte>(name, TensorProto.Types.DataType.Int8, dims, values);

    private static TensorProto FloatTensor(string name, IEnumerable<long> dims, float[] values) =>
        OnnxTensors.Create<float>(name, TensorProto.Types.DataType.Float, dims, values);

    private static void RemoveGraphInput(GraphProto graph, string name)
    {
        var input = graph.Input.FirstOrDefault(i => i.Name == name);
        if (input is not null)
        {
            graph.Input.Remove(input);
        }
    }
}
