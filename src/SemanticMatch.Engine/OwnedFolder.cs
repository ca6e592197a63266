using SemanticMatch.Core;
using System.Diagnostics;

namespace SemanticMatch.Engine;

/// <summary>
/// What a folder of ours holds (an index, a ranker): the entries it may contain, its manifest file, a check that the
/// manifest is really ours, and the exception a refusal raises.
/// </summary>
/// <param name="Noun">What it is, for messages ("index").</param>
/// <param name="Entries">The entries it holds; a folder with anything else is not ours to replace.</param>
/// <param name="ManifestFile">The entry that marks it.</param>
/// <param name="CheckManifest">Throws when the folder's manifest is not ours.</param>
/// <param name="Refusal">The exception for a refused target.</param>
public sealed record OwnedFolderKind(string Noun, IReadOnlySet<string> Entries, string ManifestFile, Action<string> CheckManifest,
    Func<string, Exception> Refusal);

/// <summary>
/// Writes a directory of ours atomically: the new content is built in a staging folder beside the target and swapped in
/// with renames, so a crash at any moment leaves the old one or the new one. Never deletes a folder that is not one
/// of ours.
/// </summary>
/// <remarks>
/// The swap is two renames (target -> <c>.NAME.old-*</c>, staging -> target). A crash between them leaves the old folder
/// under the <c>.old</c> name; <see cref="Recover"/> (called by every open and every write) renames it back. Staging
/// folders of processes that are no longer running are deleted on the next write.
/// </remarks>
public static class OwnedFolder
{
    private const string StagingTag = ".staging-";
    private const string OldTag = ".old-";

    /// <summary>Throws unless <paramref name="target"/> can receive a folder of this kind: absent, empty, or one of ours.</summary>
    public static void CheckTarget(string target, OwnedFolderKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (File.Exists(target))
        {
            throw kind.Refusal($"'{target}' is a file, not a directory; choose a new or empty directory for the {kind.Noun}");
        }

        if (!Directory.Exists(target))
        {
            return;
        }

        var foreign = Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).FirstOrDefault(e => !kind.Entries.Contains(e!));
        if (foreign is not null)
        {
            throw kind.Refusal(
                $"'{target}' holds '{foreign}', which is not part of a SemanticMatch {kind.Noun}; nothing was changed. Choose a new or empty directory");
        }

        if (File.Exists(Path.Combine(target, kind.ManifestFile)))
        {
            try
            {
                kind.CheckManifest(target);
            }
            catch (InvalidRequestException e)
            {
                throw kind.Refusal(
                    $"'{target}' holds a {kind.ManifestFile} that is not a SemanticMatch {kind.Noun}'s ({e.Message}); nothing was changed. Choose a new or empty directory");
            }
        }
    }

    /// <summary>Builds into a staging folder with <paramref name="write"/>, then swaps it in for <paramref name="target"/>.</summary>
    public static void Write(string target, OwnedFolderKind kind, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        Recover(target, kind);
        CheckTarget(target, kind);
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
    /// When <paramref name="target"/> is missing but a swap left the previous folder under its <c>.old</c> name, renames it back.
    /// </summary>
    public static void Recover(string target, OwnedFolderKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
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
            .FirstOrDefault(d => File.Exists(Path.Combine(d, kind.ManifestFile)));
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
