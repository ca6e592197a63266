using Microsoft.ML;
using Microsoft.ML.Calibrators;

namespace SemanticMatch.Ranking;

/// <summary>
/// Platt scaling: P(relevant | s) = 1 / (1 + exp(Slope * s + Offset)), fitted by ML.NET's Platt calibrator (logistic
/// regression of the label on the score). Two parameters keep it from bending to the few hundred pairs it is fitted on,
/// and it stays monotone, so it never changes an order.
/// </summary>
/// <param name="Slope">Multiplies the score (negative when higher scores mean more relevant).</param>
/// <param name="Offset">Added before the logistic.</param>
public sealed record PlattCalibration(double Slope, double Offset)
{
    /// <summary>The probability of relevance of a score.</summary>
    public float Probability(float score) => (float)(1 / (1 + Math.Exp(Slope * score + Offset)));

    /// <summary>Fits the calibration to scores and whether each pair is relevant.</summary>
    /// <exception cref="ArgumentException">Fewer than two pairs, or only one class.</exception>
    public static PlattCalibration Fit(IReadOnlyList<float> scores, IReadOnlyList<bool> relevant)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(relevant);
        if (scores.Count < 2 || relevant.Distinct().Count() < 2)
        {
            throw new ArgumentException("calibration needs relevant and irrelevant pairs", nameof(relevant));
        }

        var ml = new MLContext(0);
        var data = ml.Data.LoadFromEnumerable(scores.Select((s, i) => new CalibrationRow { Score = s, Label = relevant[i] }));
        var fitted = ml.BinaryClassification.Calibrators.Platt(nameof(CalibrationRow.Label), nameof(CalibrationRow.Score)).Fit(data);
        var calibrator = ((ISingleFeaturePredictionTransformer<PlattCalibrator>)fitted).Model;
        return new PlattCalibration(calibrator.Slope, calibrator.Offset);
    }

    private sealed class CalibrationRow
    {
        public float Score { get; set; }

        public bool Label { get; set; }
    }
}
