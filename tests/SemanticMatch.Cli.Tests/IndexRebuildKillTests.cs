using System.Diagnostics;
using System.Text.Json;

namespace SemanticMatch.Cli.Tests;

/// <summary>
/// A real <c>semmatch index</c> rebuilding an existing index is killed (SIGKILL) at seeded moments: afterwards the
/// directory holds the old index or the new one, complete and searchable, and the next run cleans up after the crash.
/// </summary>
[Collection(SemmatchProcess.Name)]
public sealed class IndexRebuildKillTests(Semmatch semmatch)
{
    private const int Seed = 20261127;
    private const int OldCount = 60;

    [Fact]
    public void Rebuild_KilledAtSeededMoments_LeavesTheOldOrTheNewIndex()
    {
        var work = Path.Combine(semmatch.Root, "kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var demo = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Demo", "products.csv"));
        var oldProducts = Path.Combine(work, "old.csv");
        var newProducts = Path.Combine(work, "new.csv");
        File.WriteAllLines(oldProducts, demo.Take(OldCount + 1));
        File.WriteAllLines(newProducts, demo);
        var newCount = demo.Length - 1;
        var pristine = Path.Combine(work, "pristine");
        var target = Path.Combine(work, "idx");
        var built = semmatch.Run("index", "--products", oldProducts, "--out", pristine);
        Assert.True(built.ExitCode == 0, built.ToString());

        // How long a whole rebuild takes here, so the kills spread over model loading, embedding and writing.
        Semmatch.CopyDirectory(pristine, target);
        var timer = Stopwatch.StartNew();
        var full = semmatch.Run("index", "--products", newProducts, "--out", target);
        var duration = timer.Elapsed;
        Assert.True(full.ExitCode == 0, full.ToString());

        var random = new Random(Seed);
        var outcomes = new List<int>();
        for (var trial = 0; trial < 5; trial++)
        {
            Directory.Delete(target, recursive: true);
            Semmatch.CopyDirectory(pristine, target);
            var killAfter = duration * (0.3 + 0.8 * random.NextDouble());
            using (var process = Process.Start(semmatch.StartInfo(work, "index", "--products", newProducts, "--out", target))!)
            {
                process.StandardOutput.ReadToEndAsync();
                process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(killAfter))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                }
            }

            var searched = semmatch.Run("search", "cordless drill", "--index", target, "--method", "bm25", "--json");
            Assert.True(searched.ExitCode == 0, $"seed {Seed}, trial {trial}, killed after {killAfter}: {searched}");
            var count = ProductCount(target);
            Assert.True(count == OldCount || count == newCount, $"seed {Seed}, trial {trial}, killed after {killAfter}: {count} products");
            outcomes.Add(count);
        }

        // The next run after a crash rebuilds and leaves no staging folder behind.
        var rebuilt = semmatch.Run("index", "--products", newProducts, "--out", target);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        Assert.Equal(newCount, ProductCount(target));
        Assert.Empty(Directory.EnumerateDirectories(work, ".idx.*"));
        Assert.Equal(5, outcomes.Count);
    }

    private static int ProductCount(string index)
    {
        Assert.True(File.Exists(Path.Combine(index, "manifest.json")), $"{index} has no manifest after the kill");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(index, "manifest.json")));
        return manifest.RootElement.GetProperty("productCount").GetInt32();
    }
}
