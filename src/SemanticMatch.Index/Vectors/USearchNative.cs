using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace SemanticMatch.Index.Vectors;

/// <summary>
/// Owns a native USearch index (usearch_index_t) and frees it exactly once, never throwing from the finalizer.
/// </summary>
internal sealed class USearchHandle : SafeHandle
{
    public USearchHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        USearchNative.usearch_free(handle, out var error);
        return error == IntPtr.Zero;
    }
}

/// <summary>
/// Direct bindings to the USearch C library shipped in Cloud.Unum.USearch. The package's own C# wrapper holds a raw
/// pointer, throws from its finalizer and cannot set ef_search after loading a file, so only its native library and
/// its option/enum types (which mirror the C structs) are used here.
/// </summary>
internal static class USearchNative
{
    private const string Library = "libusearch_c";

    public static USearchHandle Init(IndexOptions options)
    {
        var handle = usearch_init(ref options, out var error);
        Check(error, "create index");
        return handle;
    }

    public static void Check(IntPtr error, string action)
    {
        if (error != IntPtr.Zero)
        {
            throw new VectorIndexException($"USearch could not {action}: {Marshal.PtrToStringUTF8(error)}");
        }
    }

    [DllImport(Library)]
    public static extern USearchHandle usearch_init(ref IndexOptions options, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_free(IntPtr index, out IntPtr error);

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern void usearch_save(USearchHandle index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern void usearch_load(USearchHandle index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out IntPtr error);

    [DllImport(Library)]
    public static extern UIntPtr usearch_size(USearchHandle index, out IntPtr error);

    [DllImport(Library)]
    public static extern UIntPtr usearch_capacity(USearchHandle index, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_reserve(USearchHandle index, UIntPtr capacity, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_add(USearchHandle index, ulong key, float[] vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library)]
    public static extern UIntPtr usearch_get(USearchHandle index, ulong key, UIntPtr count, [Out] float[] vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library)]
    public static extern UIntPtr usearch_remove(USearchHandle index, ulong key, out IntPtr error);

    [DllImport(Library)]
    public static extern UIntPtr usearch_search(USearchHandle index, float[] query, ScalarKind kind, UIntPtr count,
        [Out] ulong[] keys, [Out] float[] distances, out IntPtr error);

    /// <summary>Tells a filtered search whether to keep <paramref name="key"/>: non-zero keeps it.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int KeyFilter(ulong key, IntPtr state);

    [DllImport(Library)]
    public static extern UIntPtr usearch_filtered_search(USearchHandle index, float[] query, ScalarKind kind, UIntPtr count,
        KeyFilter filter, IntPtr state, [Out] ulong[] keys, [Out] float[] distances, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_change_threads_add(USearchHandle index, UIntPtr threads, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_change_threads_search(USearchHandle index, UIntPtr threads, out IntPtr error);

    [DllImport(Library)]
    public static extern void usearch_change_expansion_search(USearchHandle index, UIntPtr expansion, out IntPtr error);
}
