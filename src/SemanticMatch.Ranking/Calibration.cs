namespace SemanticMatch.Ranking;

/// <summary>
/// Platt scaling: P(relevant | s) = 1 / (1 + exp(Slope * s + Offset)), fitted by ML.NET's Platt calibrator (logistic
/// regression of the label on the score; <c>PlattFitting</c> in SemanticMatch.Ranking.Training fits it). Two parameters keep it from bending to the few hundred pairs it is fitted on,
/// and it stays monotone, so it never changes an order.
/// </summary>
/// <param name="Slope">Multiplies the score (negative when higher scores mean more relevant).</param>
/// <param name="Offset">Added before the logistic.</param>
public sealed record PlattCalibration(double Slope, double Offset)
{
    /// <summary>The probability of relevance of a score.</summary>
    public float Probability(float score) => (float)(1 / (1 + Math.Exp(Slope * score + Offset)));
}
