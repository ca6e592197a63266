using System.Diagnostics;

namespace SemanticMatch.Engine.Indexing;

/// <summary>
/// Writes an index directory atomically: the new index is built in a staging folder beside the target and swapped in
/// with renames, so a crash at any moment leaves the old index or the new one. Never deletes a folder that is not one
/// of ours.
/// </summary>
/// <remarks>
/// The swap is two renames (target -> <c>.NAME.old-*</c>, staging -> target). A crash between them leaves the old index
/// under the <c>.old</c> name; <see cref="Recover"/> (called by every open and every write) renames it back. Staging
/// folders of processes that are no longer running are deleted on the next write.
/// </remarks>
internal static class IndexFolder
{
    /// <summary>The entries an index directory holds; a folder with anything else is not ours to replace.</summary>
    public static readonly IReadOnlySet<string> Entries = new HashSet<string>(StringComparer.Ordinal)
    {
        CatalogueIndex.ManifestFile, CatalogueIndex.ProductsFile, CatalogueIndex.VectorsDir, CatalogueIndex.KeywordDir,
    };

    private const string StagingTag = ".staging-";
    private const string OldTag = ".old-";

    /// <summary>Throws unless <paramref name="target"/> can receive an index: absent, empty, or one of our indexes.</summary>
    /// <exception cref="IndexMismatchException">It is a file, or a folder holding something else.</exception>
    public static void CheckTarget(string target)
    {
        if (File.Exists(target))
        {
            throw new IndexMismatchException($"'{target}' is a file, not a directory; choose a new or empty directory for the index");
        }

        if (!Directory.Exists(target))
        {
            return;
        }

        var foreign = Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).FirstOrDefault(e => !Entries.Contains(e!));
        if (foreign is not null)
        {
            throw new IndexMismatchException(
                $"'{target}' holds '{foreign}', which is not part of a SemanticMatch index; nothing was changed. Choose a new or empty directory");
        }

        if (File.Exists(Path.Combine(target, CatalogueIndex.ManifestFile)))
        {
            try
            {
                CatalogueIndex.ReadManifest(target);
            }
            catch (IndexMismatchException e)
            {
                throw new IndexMismatchException(
                    $"'{target}' holds a {CatalogueIndex.ManifestFile} that is not a SemanticMatch index's ({e.Message}); nothing was changed. Choose a new or empty directory");
            }
        }
    }

    /// <summary>Builds into a staging folder with <paramref name="write"/>, then swaps it in for <paramref name="target"/>.</summary>
    public static void Write(string target, Action<string> write)
    {
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        Recover(target);
        CheckTarget(target);
        DeleteAbandoned(target);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}{StagingTag}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }

        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }

        var old = Path.Combine(parent, $".{Path.GetFileName(target)}{OldTag}{Guid.NewGuid():N}");
        Directory.Move(target, old);
        Directory.Move(staging, target);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// When <paramref name="target"/> is missing but a swap left the previous index under its <c>.old</c> name, renames it back.
    /// </summary>
    public static void Recover(string target)
    {
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (Directory.Exists(target) || File.Exists(target))
        {
            return;
        }

        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            return;
        }

        var previous = Directory.EnumerateDirectories(parent, $".{Path.GetFileName(target)}{OldTag}*")
            .FirstOrDefault(d => File.Exists(Path.Combine(d, CatalogueIndex.ManifestFile)));
        if (previous is not null)
        {
            Directory.Move(previous, target);
        }
    }

    // Staging folders of dead processes, and .old folders a finished swap did not get to delete.
    private static void DeleteAbandoned(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            return;
        }

        var name = Path.GetFileName(target);
        foreach (var staging in Directory.EnumerateDirectories(parent, $".{name}{StagingTag}*"))
        {
            var owner = Path.GetFileName(staging)[(name.Length + 1 + StagingTag.Length)..].Split('-')[0];
            if (int.TryParse(owner, out var pid) && !IsRunning(pid))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        if (Directory.Exists(target))
        {
            foreach (var old in Directory.EnumerateDirectories(parent, $".{name}{OldTag}*"))
            {
                Directory.Delete(old, recursive: true);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
