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

    /// <summary>Replaces a tensor's data with <paramref name="values"/>, stored as raw_data.</summary>
    public static void WriteRaw<T>(TensorProto tensor, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
    }
}
