using FsCheck;
using FsCheck.Fluent;
using SemanticMatch.Core.Fusion;

namespace SemanticMatch.Core.Tests;

public sealed class FusionTests
{
    private static readonly SearchHit[] s_keyword = [new("a", 12), new("b", 8), new("c", 2)];
    private static readonly SearchHit[] s_dense = [new("b", 0.9f), new("d", 0.7f), new("a", 0.5f)];

    [Fact]
    public void Rrf_HandComputed()
    {
        var fused = HybridFusion.Fuse(s_keyword, s_dense, new FusionOptions { Method = FusionMethod.Rrf, RrfK = 60 });

        // b: 1/62 + 1/61; a: 1/61 + 1/63; d: 1/62; c: 1/63.
        Assert.Equal(["b", "a", "d", "c"], fused.Select(h => h.ProductId));
        Assert.Equal(1.0 / 62 + 1.0 / 61, fused[0].Score, 6);
    }

    [Fact]
    public void Weighted_HandComputed()
    {
        var fused = HybridFusion.Fuse(s_keyword, s_dense, new FusionOptions { Method = FusionMethod.Weighted, DenseWeight = 0.5 });

        // Keyword normalised: a 1, b 0.6, c 0. Dense: b 1, d 0.5, a 0. Sums x0.5: b 0.8, a 0.5, d 0.25, c 0.
        Assert.Equal(["b", "a", "d", "c"], fused.Select(h => h.ProductId));
        Assert.Equal(0.8f, fused[0].Score, 5);
        Assert.Equal(0.25f, fused[2].Score, 5);
    }

    [Fact]
    public void Weighted_DenseWeightOne_FollowsDenseOrder()
    {
        var fused = HybridFusion.Fuse(s_keyword, s_dense, new FusionOptions { DenseWeight = 1 });

        Assert.Equal(["b", "d", "a"], fused.Take(3).Select(h => h.ProductId));
    }

    [Fact]
    public void Fuse_ContainsOnlyCandidates_EachOnce() =>
        Seeded.Check(Prop.ForAll(
            ArbMap.Default.GeneratorFor<(byte Id, byte Score)[]>().ToArbitrary(),
            ArbMap.Default.GeneratorFor<(byte Id, byte Score)[]>().ToArbitrary(),
            ArbMap.Default.GeneratorFor<bool>().ToArbitrary(),
            (left, right, rrf) =>
            {
                var keyword = Hits(left);
                var dense = Hits(right);
                var fused = HybridFusion.Fuse(keyword, dense, new FusionOptions { Method = rrf ? FusionMethod.Rrf : FusionMethod.Weighted });
                var ids = fused.Select(h => h.ProductId).ToList();
                return ids.Distinct().Count() == ids.Count
                    && ids.ToHashSet().SetEquals(keyword.Concat(dense).Select(h => h.ProductId));
            }));

    [Theory]
    [InlineData(1.5, 60, "DenseWeight must be between 0 and 1")]
    [InlineData(double.NaN, 60, "DenseWeight must be between 0 and 1")]
    [InlineData(0.5, 0, "RrfK must be at least 1")]
    public void Options_StateTheirRules_AndFusionRefusesBrokenOnes(double weight, int rrfK, string expected)
    {
        var options = new FusionOptions { DenseWeight = weight, RrfK = rrfK };

        Assert.Equal(expected, options.Problem()!.ToString());
        Assert.Contains(expected, Assert.Throws<InvalidRequestException>(() => HybridFusion.Fuse([], [], options)).Message);
        Assert.Null((options with { DenseWeight = 1, RrfK = 1 }).Problem());
    }

    private static List<SearchHit> Hits((byte Id, byte Score)[] items) =>
        items.DistinctBy(x => x.Id).OrderByDescending(x => x.Score).Select(x => new SearchHit($"p{x.Id}", x.Score)).ToList();
}
