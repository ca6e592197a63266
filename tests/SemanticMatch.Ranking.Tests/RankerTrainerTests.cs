using SemanticMatch.Ranking.Training;
using SemanticMatch.Core;
using SemanticMatch.Core.Metrics;
using SemanticMatch.Search;
using SemanticMatch.Engine.Evaluation;

namespace SemanticMatch.Ranking.Tests;

/// <summary>
/// Synthetic queries "drill N v" whose relevant products are those with the same voltage, while the first stage and the
/// "cross-encoder" score see the voltage only faintly: the trees must learn the number agreement to order them.
/// </summary>
public sealed class RankerTrainerTests
{
    private static readonly int[] s_volts = [12, 18, 20, 40];
    private static readonly ModelReference s_bi = new("bi", "bi@1");
    private static readonly ModelReference s_cross = new("cross", "cross@1");

    [Fact]
    public void LearnsWhatTheFirstStageMisses_AndEachGroupShowsInTheAblation()
    {
        var (train, dev) = (Queries(300, seed: 1), Queries(200, seed: 2));

        var all = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options());
        // The voltage shows in the number features and in the word coverage ("18" is a word): both must go.
        var withoutNumbers = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options(FeatureGroup.Numbers, FeatureGroup.Lexical));
        var firstStage = all.Manifest.Training!.DevFirstStage;

        Assert.True(all.Manifest.Training.Dev.Ndcg10 > 0.97, $"ranker NDCG {all.Manifest.Training.Dev.Ndcg10}");
        Assert.True(firstStage.Ndcg10 < 0.85, $"first stage NDCG {firstStage.Ndcg10}");
        Assert.True(withoutNumbers.Manifest.Training!.Dev.Ndcg10 < all.Manifest.Training.Dev.Ndcg10 - 0.05,
            $"without numbers {withoutNumbers.Manifest.Training.Dev.Ndcg10} vs {all.Manifest.Training.Dev.Ndcg10}");
        Assert.True(all.Manifest.Training.Dev.Mrr10 > firstStage.Mrr10 + 0.2, $"MRR {all.Manifest.Training.Dev.Mrr10} vs {firstStage.Mrr10}");
        Assert.Contains(all.Manifest.Importance.Take(3), f => f.Feature is "number_match" or "number_conflict" or "coverage" or "all_words");
        Assert.Equal([FeatureGroup.Lexical, FeatureGroup.Numbers], withoutNumbers.Manifest.Excluded);
    }

    [Fact]
    public void Probabilities_MatchHowOftenProductsAreRelevant()
    {
        var (train, dev) = (Queries(300, seed: 3), Queries(200, seed: 4));

        var trained = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options());
        var ranker = trained.AsRanker();
        var scores = dev.SelectMany(q => ranker.Score(q.Signals, q.Judged.Select(j => j.Signals).ToList())).ToList();
        var relevant = dev.SelectMany(q => q.Judged.Select(j => j.Relevance >= 2.5)).ToList();

        Assert.True(trained.Manifest.Training!.CalibrationErrorHeldOut < 0.05, $"held-out ECE {trained.Manifest.Training.CalibrationErrorHeldOut}");
        Assert.True(trained.Manifest.Calibration.Slope < 0, "higher predicted relevance must mean a higher probability");
        var matched = scores.Where((_, i) => relevant[i]).Average(s => s.Probability);
        var unmatched = scores.Where((_, i) => !relevant[i]).Average(s => s.Probability);
        Assert.True(matched > 0.8 && unmatched < 0.2, $"mean probability {matched} (relevant) vs {unmatched}");
        Assert.InRange(Reliability.ExpectedCalibrationError(scores.Select(s => s.Probability).ToList(), relevant), 0, 0.05);
        Assert.All(scores, s => Assert.InRange(s.Relevance, 1f, 3f)); // clipped to the labels' scale
    }

    [Fact]
    public void UnjudgedCandidates_CanTeachTheOrderAsIrrelevant()
    {
        // Half of each query's candidates are unjudged; among them are products of the query's voltage that the
        // source never showed. Trained as irrelevant, they are pushed down, and the relevance model is untouched.
        var (train, dev) = (Queries(300, seed: 5, judgedShare: 0.5), Queries(200, seed: 6, judgedShare: 0.5));

        var plain = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options());
        var withUnjudged = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options() with { UnjudgedAsIrrelevant = true });

        Assert.True(withUnjudged.Manifest.UnjudgedAsIrrelevant);
        Assert.Equal(plain.Manifest.Training!.Dev.Rmse, withUnjudged.Manifest.Training!.Dev.Rmse);
        Assert.Equal(plain.Manifest.Training.TrainPairs, withUnjudged.Manifest.Training.TrainPairs);
    }

    [Fact]
    public void Training_IsDeterministic()
    {
        var (train, dev) = (Queries(100, seed: 7), Queries(50, seed: 8));

        var first = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options()).AsRanker();
        var second = RankerTrainer.Train(train, dev, 20, s_bi, s_cross, Options()).AsRanker();

        var query = dev[0];
        Assert.Equal(first.Score(query.Signals, query.Signals.Candidates), second.Score(query.Signals, query.Signals.Candidates));
    }

    internal static RankerTrainingOptions Options(params FeatureGroup[] without) =>
        new() { Trees = new TreeSettings(Trees: 100, Leaves: 8, MinimumLeafCount: 10), Excluded = without.ToHashSet() };

    internal static List<JudgedQuerySignals> Queries(int count, int seed, double judgedShare = 1)
    {
        var random = new Random(seed);
        var queries = new List<JudgedQuerySignals>();
        for (var q = 0; q < count; q++)
        {
            var volts = s_volts[random.Next(s_volts.Length)];
            var text = $"cordless drill {volts} v";
            var candidates = new List<(CandidateSignals Signals, double Relevance)>();
            for (var c = 0; c < 20; c++)
            {
                var productVolts = random.NextDouble() < 0.3 ? volts : s_volts[random.Next(s_volts.Length)];
                var relevance = productVolts == volts ? 3 : random.NextDouble() < 0.5 ? 1 : 1.33;
                var cross = (float)(2 + 0.15 * (relevance - 2) + Gaussian(random) * 0.5);
                candidates.Add((new CandidateSignals($"q{q}-p{c}", $"brand{c % 5} cordless drill {productVolts} v",
                    Keyword: (float)(5 + random.NextDouble()), Dense: (float)(0.6 + 0.1 * random.NextDouble()), Cross: cross, FirstStageRank: 0), relevance));
            }

            // The first stage orders by the keyword score, which knows nothing of the voltage.
            var ordered = candidates.OrderByDescending(c => c.Signals.Keyword).Select((c, i) => (Signals: c.Signals with { FirstStageRank = i + 1 }, c.Relevance)).ToList();
            var signals = new QuerySignals(text, text, ordered.Select(c => c.Signals).ToList());
            var hits = ordered.Select(c => new SearchHit(c.Signals.Id, c.Signals.Keyword)).ToList();
            var judged = ordered.Where((_, i) => i % 2 == 0 || random.NextDouble() < (judgedShare - 0.5) * 2)
                .Select(c => new JudgedCandidate(c.Signals, c.Relevance)).ToList();
            queries.Add(new JudgedQuerySignals(text, signals, hits, judged, 0));
        }

        return queries;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
