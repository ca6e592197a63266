using SemanticMatch.Core.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Core;
using SemanticMatch.Engine;

namespace SemanticMatch.Ranking;

/// <summary>
/// A ranker directory: ranker.json (<see cref="RankerManifest"/>), ordering.zip and relevance.zip (ML.NET FastTree
/// models) and reliability.png (the calibration curve on dev). Written atomically; a folder holding anything else is
/// never touched.
/// </summary>
public static class RankerDirectory
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestFile = "ranker.json";

    /// <summary>The LambdaMART model's file name.</summary>
    public const string OrderingFile = "ordering.zip";

    /// <summary>The relevance model's file name.</summary>
    public const string RelevanceFile = "relevance.zip";

    /// <summary>The reliability plot's file name.</summary>
    public const string ReliabilityFile = "reliability.png";

    /// <summary>How the manifest is written and read.</summary>
    internal static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>What a ranker directory holds (it is written as one folder, atomically).</summary>
    internal static OwnedFolderKind Kind { get; } = new("ranker",
        new HashSet<string>(StringComparer.Ordinal) { ManifestFile, OrderingFile, RelevanceFile, ReliabilityFile }, ManifestFile,
        directory => ReadManifest(directory), message => new InvalidRequestException(message));

    /// <summary>Throws unless <paramref name="directory"/> can receive a ranker (absent, empty, or a ranker); check before slow work.</summary>
    /// <exception cref="InvalidRequestException">It is a file, or a folder holding something else.</exception>
    public static void CheckTarget(string directory) => OwnedFolder.CheckTarget(directory, Kind);

    /// <summary>Reads a ranker directory's manifest.</summary>
    /// <exception cref="InvalidRequestException">Not a ranker directory, or one written for other features.</exception>
    public static RankerManifest ReadManifest(string directory)
    {
        OwnedFolder.Recover(directory, Kind);
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw new InvalidRequestException($"'{directory}' is not a ranker directory (no {ManifestFile}); write one with 'semmatch train-ranker'");
        }

        RankerManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<RankerManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"{path}: not a ranker manifest ({e.Message})");
        }

        if (manifest is null || manifest.Format != RankerManifest.CurrentFormat)
        {
            throw new InvalidRequestException($"{path}: format '{manifest?.Format}' is not {RankerManifest.CurrentFormat}");
        }

        var features = RankingFeatures.All.Select(f => f.Name).ToList();
        if (!manifest.Features.SequenceEqual(features))
        {
            throw new InvalidRequestException(
                $"{path}: trained on features [{string.Join(", ", manifest.Features)}], this version computes [{string.Join(", ", features)}]; train it again");
        }

        return manifest;
    }

    /// <summary>Loads the ranker in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidRequestException">Not a ranker directory, or a model file is missing.</exception>
    public static LearnedRanker Open(string directory)
    {
        var manifest = ReadManifest(directory);
        foreach (var file in new[] { OrderingFile, RelevanceFile })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new InvalidRequestException($"'{directory}' lacks {file}; train the ranker again");
            }
        }

        return new LearnedRanker(manifest, Load(directory, OrderingFile), Load(directory, RelevanceFile), Identity(directory));
    }

    private static TreeModel Load(string directory, string file)
    {
        try
        {
            return TreeModel.Load(Path.Combine(directory, file));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException or InvalidDataException or ArgumentException)
        {
            throw new InvalidRequestException($"'{directory}': {file} is not a model ML.NET can read ({e.Message}); train the ranker again");
        }
    }

    // "ranker:NAME@" + 12 hex of the SHA-256 of the manifest and both models.
    private static string Identity(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { ManifestFile, OrderingFile, RelevanceFile })
        {
            hash.AppendData(File.ReadAllBytes(Path.Combine(directory, file)));
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return $"ranker:{name}@{Convert.ToHexStringLower(hash.GetHashAndReset())[..12]}";
    }
}
