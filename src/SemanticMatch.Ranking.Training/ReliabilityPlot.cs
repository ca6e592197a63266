using SemanticMatch.Core.Metrics;
using System.Globalization;

namespace SemanticMatch.Ranking.Training;

/// <summary>The calibration curve as a PNG (ScottPlot): observed share of relevant pairs against the predicted probability.</summary>
internal static class ReliabilityPlot
{
    public static void Write(string path, IReadOnlyList<ReliabilityBin> bins, double? expectedCalibrationError)
    {
        var plot = new ScottPlot.Plot();
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LegendText = "perfect calibration";
        diagonal.LinePattern = ScottPlot.LinePattern.Dashed;
        var curve = plot.Add.Scatter(bins.Select(b => b.MeanPredicted).ToArray(), bins.Select(b => b.Observed).ToArray());
        curve.LegendText = "dev pairs, calibrated on the other half of dev";
        curve.MarkerSize = 8;
        foreach (var bin in bins)
        {
            plot.Add.Text(bin.Count.ToString(CultureInfo.InvariantCulture), bin.MeanPredicted, bin.Observed).LabelFontSize = 10;
        }

        plot.Title(expectedCalibrationError is { } ece
            ? $"reliability (ECE {ece.ToString("0.000", CultureInfo.InvariantCulture)}; numbers = pairs per bin)"
            : "reliability");
        plot.XLabel("predicted probability of relevance");
        plot.YLabel("observed share relevant");
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.ShowLegend();
        plot.SavePng(path, 700, 600);
    }
}
