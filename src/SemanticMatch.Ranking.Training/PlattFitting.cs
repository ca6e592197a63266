using Microsoft.ML;
using Microsoft.ML.Calibrators;

namespace SemanticMatch.Ranking.Training;

/// <summary>Fits a <see cref="PlattCalibration"/> by ML.NET's Platt calibrator.</summary>
public static class PlattFitting
{
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
