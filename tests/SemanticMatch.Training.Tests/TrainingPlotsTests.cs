using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Tests;

public sealed class TrainingPlotsTests
{
    [Fact]
    public void Write_DrawsLossAndDevMetricAsPngFiles()
    {
        var directory = Path.Combine(Path.GetTempPath(), "semmatch-plots-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllLines(Path.Combine(directory, "metrics.jsonl"),
            [
                """{"kind":"dev","epoch":0,"step":0,"devScore":0.89,"devMetric":"ndcg@10"}""",
                .. Enumerable.Range(1, 120).Select(i => $$"""{"kind":"step","epoch":1,"step":{{i}},"loss":{{(2.0 / i).ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"""),
                """{"kind":"dev","epoch":1,"step":120,"devScore":0.9,"devMetric":"ndcg@10"}""",
            ]);

            var paths = TrainingPlots.Write(directory);

            Assert.Equal(["loss.png", "dev.png"], paths.Select(Path.GetFileName));
            Assert.All(paths, path => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path).Take(4)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
