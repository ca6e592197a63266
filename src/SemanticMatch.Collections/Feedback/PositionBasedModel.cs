namespace SemanticMatch.Collections.Feedback;

/// <summary>
/// The position-based click model (Craswell et al. 2008; Chuklin, Markov and de Rijke, "Click Models for Web Search",
/// 2015): P(click) = P(examined | position) x P(attractive | query, product), fitted by expectation-maximisation. The
/// attraction is the relevance estimate; the examination probabilities absorb position bias, so a product clicked
/// at position 1 because it was at position 1 is not taken for relevant.
/// </summary>
/// <remarks>
/// Chosen over a cascade or DBN model because shoppers scan a grid and click several products per search, which a
/// cascade (one click, stop) does not describe; the cascade's one good idea, skip-above negatives, is kept as an
/// option (<see cref="JudgmentOptions.SkipAbove"/>). Attractions get a Beta prior worth one observation, centred on
/// the mean attraction, so a pair seen once is not judged 0 or 1 outright, yet one click where the examination is
/// certain is enough to make it more likely relevant than not (with two, a pair needed two clicks whatever its
/// position; on simulated traffic that kept 1,638 positives of 8,278 clicked pairs, docs/results/learning-loop.md).
/// </remarks>
internal static class PositionBasedModel
{
    private const double PriorStrength = 1;

    /// <summary>One hit shown in one search: which pair, at which position, clicked or not, known to be examined.</summary>
    public readonly record struct Observation(int Pair, int Position, bool Clicked, bool Examined);

    /// <summary>Fits the model; returns the attraction of each pair and the examination probability of each position.</summary>
    public static (double[] Attraction, double[] Examination) Fit(IReadOnlyList<Observation> observations, int pairs, int positions, int iterations)
    {
        var attraction = Enumerable.Repeat(0.5, pairs).ToArray();
        var examination = Enumerable.Range(0, positions).Select(k => 1.0 / (k + 1)).ToArray();
        var prior = 0.5;
        for (var round = 0; round < iterations; round++)
        {
            var attractedSum = new double[pairs];
            var pairCount = new double[pairs];
            var examinedSum = new double[positions];
            var positionCount = new double[positions];
            foreach (var o in observations)
            {
                double attracted, examined;
                if (o.Clicked)
                {
                    (attracted, examined) = (1, 1);
                }
                else if (o.Examined)
                {
                    (attracted, examined) = (0, 1);
                }
                else
                {
                    // The posteriors of "attractive" and of "examined" given no click.
                    var a = attraction[o.Pair];
                    var e = examination[o.Position];
                    var noClick = 1 - (a * e);
                    (attracted, examined) = (a * (1 - e) / noClick, e * (1 - a) / noClick);
                }

                attractedSum[o.Pair] += attracted;
                pairCount[o.Pair]++;
                examinedSum[o.Position] += examined;
                positionCount[o.Position]++;
            }

            for (var p = 0; p < pairs; p++)
            {
                attraction[p] = Math.Clamp((attractedSum[p] + (PriorStrength * prior)) / (pairCount[p] + PriorStrength), 1e-6, 1 - 1e-6);
            }

            for (var k = 0; k < positions; k++)
            {
                examination[k] = positionCount[k] == 0 ? examination[k] : Math.Clamp(examinedSum[k] / positionCount[k], 1e-6, 1 - 1e-6);
            }

            prior = Math.Clamp(attractedSum.Sum() / Math.Max(1, pairCount.Sum()), 0.01, 0.99);
        }

        return (attraction, examination);
    }
}
