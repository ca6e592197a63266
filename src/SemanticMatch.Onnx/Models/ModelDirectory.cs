using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticMatch.Onnx.Models;

/// <summary>
/// A model on disk in SemanticMatch's format: <c>model.onnx</c>, <c>vocab.txt</c> and <c>semanticmatch.json</c>.
/// </summary>
public sealed class ModelDirectory
{
    /// <summary>File name of the ONNX graph.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>File name of the WordPiece vocabulary (one token a line).</summary>
    public const string VocabFile = "vocab.txt";

    /// <summary>File name of the configuration.</summary>
    public const string ConfigFile = "semanticmatch.json";

    /// <summary>JSON settings for the config file: camelCase, indented, enums as strings.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private string? _fingerprint;

    private ModelDirectory(string path, ModelConfig config)
    {
        Path = path;
        Config = config;
    }

    /// <summary>Full path of the directory.</summary>
    public string Path { get; }

    /// <summary>The parsed configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>Path of model.onnx.</summary>
    public string ModelPath => System.IO.Path.Combine(Path, ModelFile);

    /// <summary>Path of vocab.txt.</summary>
    public string VocabPath => System.IO.Path.Combine(Path, VocabFile);

    /// <summary>
    /// SHA-256 (hex, first 16 bytes) of the config and the ONNX file: identifies the exact weights an index was built with.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint();

    /// <summary>Opens and validates a model directory.</summary>
    /// <exception cref="ModelFormatException">A file is missing or the config is invalid.</exception>
    public static ModelDirectory Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new ModelFormatException($"model directory '{path}' does not exist (expected {ModelFile}, {VocabFile}, {ConfigFile})");
        }

        foreach (var file in new[] { ModelFile, VocabFile, ConfigFile })
        {
            if (!File.Exists(System.IO.Path.Combine(full, file)))
            {
                throw new ModelFormatException($"model directory '{path}' lacks {file} (see docs/model-format.md)");
            }
        }

        var config = ReadConfig(System.IO.Path.Combine(full, ConfigFile));
        if (config.Vocabulary is { } expected && VocabularyRecord.Of(System.IO.Path.Combine(full, VocabFile), expected.Added) is var actual
            && (actual.Size != expected.Size || actual.Sha256 != expected.Sha256))
        {
            throw new ModelFormatException(
                $"model directory '{path}': {VocabFile} ({actual.Size} tokens) is not the vocabulary the weights were built for ({expected.Size} tokens, see {ConfigFile})");
        }

        return new ModelDirectory(full, config);
    }

    /// <summary>Writes a config next to a model.onnx and vocab.txt.</summary>
    public static void WriteConfig(string directory, ModelConfig config) =>
        File.WriteAllText(System.IO.Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, JsonOptions));

    private static ModelConfig ReadConfig(string path)
    {
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: invalid model config: {e.Message}");
        }

        var problem = config switch
        {
            null => "empty config",
            { Format: not ModelConfig.CurrentFormat } => $"format '{config.Format}' is not '{ModelConfig.CurrentFormat}'",
            { Name.Length: 0 } => "name is empty",
            { MaxLength: < 3 or > 8192 } => $"maxLength {config.MaxLength} is outside 3..8192",
            { Dimension: < 1 } => $"dimension {config.Dimension} must be positive",
            { Kind: ModelKind.CrossEncoder } when config.MaxQueryLength < 3 || config.MaxQueryLength > config.MaxLength - 2 =>
                $"maxQueryLength {config.MaxQueryLength} must be at least 3 and leave room for a product within maxLength {config.MaxLength}",
            _ => null,
        };
        return problem is null ? config! : throw new ModelFormatException($"{path}: {problem}");
    }

    private string ComputeFingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(System.IO.Path.Combine(Path, ConfigFile)));
        using (var model = File.OpenRead(ModelPath))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = model.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset()[..16]);
    }
}
