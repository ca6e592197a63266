using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Onnx.Tests;

/// <summary>A copy of a model directory (the ONNX file is linked, not copied) with another config.</summary>
internal sealed class TempModel : IDisposable
{
    public TempModel(ModelDirectory source, ModelConfig config)
    {
        Directory.CreateDirectory(Path);
        File.CreateSymbolicLink(System.IO.Path.Combine(Path, ModelDirectory.ModelFile), source.ModelPath);
        File.Copy(source.VocabPath, System.IO.Path.Combine(Path, ModelDirectory.VocabFile));
        ModelDirectory.WriteConfig(Path, config);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "semmatch-model-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
