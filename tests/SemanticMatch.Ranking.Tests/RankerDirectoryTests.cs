using SemanticMatch.Ranking.Training;
using SemanticMatch.Core;

namespace SemanticMatch.Ranking.Tests;

public sealed class RankerDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ranker-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void WrittenRanker_OpensAndScoresAsTrained_AndIsReplacedByTheNextOne()
    {
        var (train, dev) = (RankerTrainerTests.Queries(100, seed: 11), RankerTrainerTests.Queries(50, seed: 12));
        var trained = RankerTrainer.Train(train, dev, 20, new("minilm-int8", "bi@1"), new("/models/ce", "ce@1"), RankerTrainerTests.Options());
        var directory = Path.Combine(_root, "ranker");

        RankerWriter.Write(directory, trained);
        var opened = RankerDirectory.Open(directory);
        var query = dev[3];

        Assert.Equal(trained.AsRanker().Score(query.Signals, query.Signals.Candidates), opened.Score(query.Signals, query.Signals.Candidates));
        Assert.Equal("/models/ce", opened.CrossEncoder);
        Assert.Equal(20, opened.Depth);
        Assert.StartsWith("ranker:ranker@", opened.Identity, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, RankerDirectory.ReliabilityFile)));
        Assert.Equal(trained.Manifest.Calibration, opened.Manifest.Calibration);

        RankerWriter.Write(directory, trained); // a ranker is ours to replace
        Assert.Equal(opened.Score(query.Signals, query.Signals.Candidates), RankerDirectory.Open(directory).Score(query.Signals, query.Signals.Candidates));
    }

    [Fact]
    public void FolderWithOtherFiles_IsRefused_AndLeftAlone()
    {
        var folder = Path.Combine(_root, "photos");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "holiday.jpg"), "not ours");

        var error = Assert.Throws<InvalidRequestException>(() => RankerDirectory.CheckTarget(folder));

        Assert.Contains("holiday.jpg", error.Message, StringComparison.Ordinal);
        Assert.Equal("not ours", File.ReadAllText(Path.Combine(folder, "holiday.jpg")));
    }

    [Fact]
    public void NotARanker_OrOtherFeatures_AreClearErrors()
    {
        Directory.CreateDirectory(_root);
        var missing = Assert.Throws<InvalidRequestException>(() => RankerDirectory.Open(_root));
        Assert.Contains("is not a ranker directory", missing.Message, StringComparison.Ordinal);

        var (train, dev) = (RankerTrainerTests.Queries(60, seed: 13), RankerTrainerTests.Queries(40, seed: 14));
        var directory = Path.Combine(_root, "old");
        RankerWriter.Write(directory, RankerTrainer.Train(train, dev, 20, new("bi", "bi@1"), null, RankerTrainerTests.Options()));
        var manifest = Path.Combine(directory, RankerDirectory.ManifestFile);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"number_conflict\"", "\"colour_match\"", StringComparison.Ordinal));

        var stale = Assert.Throws<InvalidRequestException>(() => RankerDirectory.Open(directory));
        Assert.Contains("train it again", stale.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(directory, RankerDirectory.OrderingFile), "garbage");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"colour_match\"", "\"number_conflict\"", StringComparison.Ordinal));
        var broken = Assert.Throws<InvalidRequestException>(() => RankerDirectory.Open(directory));
        Assert.Contains(RankerDirectory.OrderingFile, broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlattCalibration_IsMonotoneInTheScore()
    {
        var scores = Enumerable.Range(0, 200).Select(i => i / 100f).ToList();
        var relevant = scores.Select((s, i) => s > 1 ? i % 10 != 0 : i % 10 == 0).ToList(); // 90 % vs 10 % relevant

        var calibration = PlattFitting.Fit(scores, relevant);

        Assert.True(calibration.Probability(0.2f) < 0.3f && calibration.Probability(1.8f) > 0.7f,
            $"{calibration.Probability(0.2f)} {calibration.Probability(1.8f)}");
        Assert.Throws<ArgumentException>(() => PlattFitting.Fit([1f, 2f], [true, true]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
