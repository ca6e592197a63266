namespace SemanticMatch.Training.Tests;

/// <summary>A new folder under the system's temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("semmatch-training-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
