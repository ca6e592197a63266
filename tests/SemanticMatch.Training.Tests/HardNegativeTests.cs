using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Tests;

public sealed class HardNegativeTests
{
    private static readonly long[] s_tokens = [101, 102];

    [Fact]
    public void WithHardNegatives_TakesTheBestRankedProductNotJudgedRelevant()
    {
        TrainingPair[] pairs =
        [
            new("drill", "p1", s_tokens, s_tokens, 3),
            new("drill", "p2", s_tokens, s_tokens, 2.67),
            new("drill", "p3", s_tokens, s_tokens, 1),
        ];
        var negativeTokens = new Dictionary<string, long[]> { ["p3"] = [101, 7, 102], ["p4"] = [101, 8, 102] };

        var mined = TrainingData.WithHardNegatives(pairs, _ => ["p1", "p2", "p3", "p4"], id => negativeTokens[id], threshold: 2.5);

        // p1 and p2 are judged relevant, so the judged-irrelevant p3 is the hardest negative; the irrelevant pair gets none.
        Assert.Equal([101, 7, 102], mined[0].NegativeTokens!);
        Assert.Equal([101, 7, 102], mined[1].NegativeTokens!);
        Assert.Null(mined[2].NegativeTokens);
    }

    [Fact]
    public void WithHardNegatives_NoCandidateLeft_KeepsThePairWithoutOne()
    {
        TrainingPair[] pairs = [new("hose", "p1", s_tokens, s_tokens, 3)];

        var mined = TrainingData.WithHardNegatives(pairs, _ => ["p1"], _ => throw new InvalidOperationException("not called"), 2.5);

        Assert.Null(mined[0].NegativeTokens);
    }

    [Fact]
    public void HardNegatives_NeedTheMnrlObjective() =>
        Assert.Equal("hard negatives need the mnrl objective", new TrainingOptions { HardNegatives = true, Objective = Objective.Cosent }.Problem());
}
