using Microsoft.ML.OnnxRuntime;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>Opens ONNX Runtime CPU sessions the way every model of ours runs: full graph optimisation, sequential.</summary>
internal static class OnnxSessions
{
    /// <summary>The inputs every graph must have.</summary>
    private static readonly string[] s_requiredInputs = ["input_ids", "attention_mask"];

    /// <summary>The inputs of a graph that also takes segment ids.</summary>
    private static readonly string[] s_inputsWithTypes = ["input_ids", "attention_mask", "token_type_ids"];

    private static readonly RunOptions s_runOptions = new();

    /// <summary>
    /// Runs the graph on int64 [batch, seq] inputs (tensors wrap the given memory, no copy); token types are passed only
    /// when the graph takes them. The caller disposes the outputs.
    /// </summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, Memory<long> ids, Memory<long> mask,
        Memory<long> tokenTypes, int batch, int seq, IReadOnlyCollection<string> outputNames)
    {
        long[] shape = [batch, seq];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tokenTypes, shape);
        var hasTokenTypes = session.InputMetadata.ContainsKey("token_type_ids");
        IReadOnlyCollection<string> names = hasTokenTypes ? s_inputsWithTypes : s_requiredInputs;
        IReadOnlyCollection<OrtValue> values = hasTokenTypes ? [idsValue, maskValue, typesValue] : [idsValue, maskValue];
        return session.Run(s_runOptions, names, values, outputNames);
    }

    /// <summary>Loads the graph and checks it has the required inputs and the config's output.</summary>
    /// <param name="model">The model directory.</param>
    /// <param name="threads">Intra-op threads.</param>
    /// <param name="allowSpinning">
    /// Whether idle intra-op threads spin-wait for work (ONNX Runtime's default): faster for a lone short run, but
    /// the spinning threads take the cores from whatever runs next.
    /// </param>
    /// <exception cref="ModelFormatException">ONNX Runtime cannot load the graph, or an input or the output is missing.</exception>
    public static InferenceSession Open(ModelDirectory model, int threads, bool allowSpinning)
    {
        var session = Load(model, threads, allowSpinning);
        var missing = s_requiredInputs.Where(n => !session.InputMetadata.ContainsKey(n))
            .Concat(session.OutputMetadata.ContainsKey(model.Config.Output) ? [] : [model.Config.Output])
            .ToList();
        if (missing.Count > 0)
        {
            session.Dispose();
            throw new ModelFormatException($"{model.ModelPath}: graph lacks {string.Join(", ", missing)}");
        }

        return session;
    }

    private static InferenceSession Load(ModelDirectory model, int threads, bool allowSpinning)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        if (!allowSpinning)
        {
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        try
        {
            return new InferenceSession(model.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException($"{model.ModelPath}: ONNX Runtime cannot load the graph: {e.Message}");
        }
    }
}
