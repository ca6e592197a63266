using System.Text.Json;

namespace SemanticMatch.Training.Fitting;

/// <summary>PNG plots of a run's metrics.jsonl: training loss per step and the dev metric per epoch (ScottPlot).</summary>
public static class TrainingPlots
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes loss.png and dev.png next to metrics.jsonl; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string outputDirectory)
    {
        var events = File.ReadLines(Path.Combine(outputDirectory, "metrics.jsonl"))
            .Select(line => JsonSerializer.Deserialize<TrainingEvent>(line, s_json)!)
            .ToList();
        var steps = events.Where(e => e is { Kind: "step", Loss: not null }).ToList();
        var dev = events.Where(e => e is { Kind: "dev", DevScore: not null }).GroupBy(e => e.Epoch).Select(g => g.Last()).ToList();

        var loss = new ScottPlot.Plot();
        loss.Add.Scatter(steps.Select(e => (double)e.Step).ToArray(), steps.Select(e => e.Loss!.Value).ToArray()).MarkerSize = 0;
        var window = Math.Max(1, steps.Count / 50);
        var smoothed = loss.Add.Scatter(
            steps.Skip(window - 1).Select(e => (double)e.Step).ToArray(),
            Enumerable.Range(window - 1, Math.Max(0, steps.Count - window + 1)).Select(i => steps.Skip(i - window + 1).Take(window).Average(e => e.Loss!.Value)).ToArray());
        smoothed.LineWidth = 2;
        smoothed.MarkerSize = 0;
        smoothed.LegendText = $"mean of {window} steps";
        loss.Title("training loss");
        loss.XLabel("step");
        loss.YLabel("loss");
        var lossPath = Path.Combine(outputDirectory, "loss.png");
        loss.SavePng(lossPath, 800, 450);

        var metric = dev.LastOrDefault()?.DevMetric ?? "dev metric";
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(dev.Select(e => (double)e.Epoch).ToArray(), dev.Select(e => e.DevScore!.Value).ToArray());
        plot.Title($"dev {metric} (selects the epoch)");
        plot.XLabel("epoch (0 = before training)");
        plot.YLabel(metric);
        var devPath = Path.Combine(outputDirectory, "dev.png");
        plot.SavePng(devPath, 800, 450);
        return [lossPath, devPath];
    }
}
