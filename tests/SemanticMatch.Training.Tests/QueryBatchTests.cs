using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Tests;

public sealed class QueryBatchTests
{
    [Fact]
    public void QueryBatches_KeepQueriesWhole_WithinTheBatchSize_AndCoverEveryPair()
    {
        var random = new Random(3);
        var pairs = Enumerable.Range(0, 60)
            .SelectMany(q => Enumerable.Range(0, 1 + (q % 7)).Select(p => new TrainingPair($"q{q}", $"p{q}-{p}", [1], [2], 1 + (p % 3))))
            .Concat(Enumerable.Range(0, 20).Select(p => new TrainingPair("big", $"b{p}", [1], [2], 2))) // more than a batch
            .ToList();

        var batches = TrainingData.QueryBatches(pairs, 8, random);

        Assert.All(batches, b => Assert.InRange(b.Count, 2, 8));
        var batchOf = batches.SelectMany((b, i) => b.Select(p => (p.Query, Batch: i))).ToList();
        Assert.All(batchOf.Where(x => x.Query != "big").GroupBy(x => x.Query), g => Assert.Single(g.Select(x => x.Batch).Distinct()));
        Assert.Equal(3, batchOf.Where(x => x.Query == "big").Select(x => x.Batch).Distinct().Count()); // 20 pairs: 8 + 8 + 4
        var used = batches.SelectMany(b => b).Select(p => p.ProductId).ToList();
        Assert.Equal(used.Count, used.Distinct().Count()); // no pair twice
        Assert.InRange(pairs.Count - used.Count, 0, 1); // only a last batch of one pair is dropped (it compares nothing)
    }
}
