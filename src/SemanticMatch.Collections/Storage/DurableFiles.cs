using System.Runtime.InteropServices;

namespace SemanticMatch.Collections.Storage;

/// <summary>Writes files so that a crash leaves the old content or the new one: temp file, fsync, rename, fsync the directory.</summary>
internal static partial class DurableFiles
{
    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes, atomically and durably. When any step
    /// fails the old file is still in place and the temporary file is removed (as far as the disk lets it be).
    /// </summary>
    public static void Replace(IStorageFiles files, string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        try
        {
            using (var file = files.Create(temporary))
            {
                write(file);
                files.FlushToDisk(file);
            }

            files.Move(temporary, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw;
        }

        files.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start to clear; it is never read.
        }
    }

    /// <summary>Flushes a directory's entries (a rename or a new file in it) to disk; a no-op where the OS has no such call.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var handle = Open(directory, 0); // O_RDONLY
        if (handle < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(handle) != 0)
            {
                throw new IOException($"cannot flush directory {directory} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(handle);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
