namespace SemanticMatch.Core.Tests;

/// <summary>A temporary directory for test files, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    public TempFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "semmatch-tests", Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
