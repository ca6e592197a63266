namespace SemanticMatch.Core.Metrics;

/// <summary>How well probabilities match outcomes.</summary>
public static class Reliability
{
    /// <summary>Number of equal-width probability bins.</summary>
    public const int Bins = 10;

    /// <summary>
    /// Expected calibration error: over 10 equal-width probability bins, the pair-weighted mean of |mean predicted -
    /// observed share of relevant pairs|. 0 = perfectly calibrated.
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<float> probabilities, IReadOnlyList<bool> relevant) =>
        Curve(probabilities, relevant).Sum(b => b.Count * Math.Abs(b.MeanPredicted - b.Observed)) / Math.Max(1, probabilities.Count);

    /// <summary>The non-empty bins: mean predicted probability, observed share of relevant pairs, and how many pairs.</summary>
    public static IReadOnlyList<ReliabilityBin> Curve(IReadOnlyList<float> probabilities, IReadOnlyList<bool> relevant)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(relevant);
        return probabilities.Select((p, i) => (P: (double)p, Relevant: relevant[i]))
            .GroupBy(x => Math.Min(Bins - 1, (int)(x.P * Bins)))
            .OrderBy(g => g.Key)
            .Select(g => new ReliabilityBin(g.Average(x => x.P), g.Average(x => x.Relevant ? 1.0 : 0.0), g.Count()))
            .ToList();
    }
}

/// <summary>One bin of a reliability curve.</summary>
/// <param name="MeanPredicted">Mean predicted probability in the bin.</param>
/// <param name="Observed">Share of relevant pairs in the bin.</param>
/// <param name="Count">Pairs in the bin.</param>
public sealed record ReliabilityBin(double MeanPredicted, double Observed, int Count);
