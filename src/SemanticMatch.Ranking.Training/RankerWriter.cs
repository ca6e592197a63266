using System.Text.Json;
using SemanticMatch.Engine;

namespace SemanticMatch.Ranking.Training;

/// <summary>Writes ranker directories.</summary>
public static class RankerWriter
{
    /// <summary>Writes a trained ranker into <paramref name="directory"/> (replacing a ranker there), as <see cref="RankerDirectory"/> reads it.</summary>
    public static void Write(string directory, TrainedRanker ranker)
    {
        ArgumentNullException.ThrowIfNull(ranker);
        OwnedFolder.Write(directory, RankerDirectory.Kind, staging =>
        {
            ranker.Ordering.Save(Path.Combine(staging, RankerDirectory.OrderingFile));
            ranker.Relevance.Save(Path.Combine(staging, RankerDirectory.RelevanceFile));
            ReliabilityPlot.Write(Path.Combine(staging, RankerDirectory.ReliabilityFile), ranker.HeldOutCurve, ranker.Manifest.Training?.CalibrationErrorHeldOut);
            File.WriteAllText(Path.Combine(staging, RankerDirectory.ManifestFile), JsonSerializer.Serialize(ranker.Manifest, RankerDirectory.Json)); // last: marks it complete
        });
    }
}
