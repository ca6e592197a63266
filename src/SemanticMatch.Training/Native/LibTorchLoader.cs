using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SemanticMatch.Training.Native;

/// <summary>
/// Makes TorchSharp's native library loadable on Debian 12 before any torch call: where the system libstdc++ lacks
/// <c>std::ios_base_library_init()</c> (GLIBCXX_3.4.32, GCC 13), loads the no-op shim built next to the assemblies by
/// build/TorchSharpDebianFix.targets, globally, so libLibTorchSharp.so (whose version need the build marked weak) binds to it.
/// </summary>
internal static class LibTorchLoader
{
    private const string Symbol = "_ZSt21ios_base_library_initv";
    private const string Shim = "libsemanticmatch_glibcxx_shim.so";
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

#pragma warning disable CA2255 // deliberate: the shim must be loaded before any TorchSharp call in this library
    [ModuleInitializer]

    internal static void Initialize()
#pragma warning restore CA2255
    {
        if (!OperatingSystem.IsLinux() || NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), Symbol, out _))
        {
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, Shim);
        if (File.Exists(path) && dlopen(path, RtldNow | RtldGlobal) == IntPtr.Zero)
        {
            throw new InvalidOperationException($"cannot load {path}: {Marshal.PtrToStringUTF8(dlerror())}");
        }
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc")]
    private static extern IntPtr dlerror();
}
