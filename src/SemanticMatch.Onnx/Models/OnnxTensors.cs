using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace SemanticMatch.Onnx.Models;

/// <summary>Reads and writes the data of ONNX initializers (raw little-endian bytes, or the typed fields).</summary>
public static class OnnxTensors
{
    /// <summary>The values of a float tensor, from raw_data or float_data.</summary>
    public static float[] ReadFloats(TensorProto tensor) =>
        tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : [.. tensor.FloatData];

    /// <summary>A new initializer holding <paramref name="values"/> (raw_data) of the given type and shape.</summary>
    public static TensorProto Create<T>(string name, TensorProto.Types.DataType type, IEnumerable<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, Dims = { dims } };
        WriteRaw(tensor, values);
        return tensor;
    }

    /// <summary>Replaces a tensor's data with <paramref name="values"/>, stored as raw_data.</summary>
    public static void WriteRaw<T>(TensorProto tensor, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
    }
}
