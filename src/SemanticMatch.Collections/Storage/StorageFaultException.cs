namespace SemanticMatch.Collections.Storage;

/// <summary>
/// A write the storage refused (a full disk, a failing device, a file that may not be changed). Nothing of it was
/// applied or acknowledged, and it never will be; the collection takes writes again once the fault clears (a server
/// answers 507 for a full disk, 503 otherwise).
/// </summary>
public sealed class StorageFaultException : Exception
{
    /// <summary>ENOSPC on Linux.</summary>
    public const int NoSpaceErrno = 28;

    private const int QuotaErrno = 122; // EDQUOT
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>Creates the error from what the OS said.</summary>
    public StorageFaultException(string message, Exception inner)
        : base(message, inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        IsFull = inner.HResult is NoSpaceErrno or QuotaErrno or WindowsDiskFull or WindowsHandleDiskFull;
    }

    /// <summary>Whether the disk (or a quota) is full.</summary>
    public bool IsFull { get; }

    /// <summary>Whether <paramref name="exception"/> is a storage failure (as opposed to a bug).</summary>
    public static bool IsStorageFailure(Exception exception) => exception is IOException or UnauthorizedAccessException;
}
