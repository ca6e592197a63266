using System.Text.Json;

namespace SemanticMatch.Packaging.Tests;

/// <summary>
/// What each library brings with it, read from its restore (obj/project.assets.json lists every package and project in
/// its closure): the service carries no training code, the PostgreSQL store no Lucene or USearch, the search seam no
/// native library.
/// </summary>
public sealed class DependencyClosureTests
{
    [Theory]
    [InlineData("SemanticMatch.Server", new[] { "SemanticMatch.Ranking.Training", "ScottPlot", "TorchSharp", "SemanticMatch.Training" })]
    [InlineData("SemanticMatch.Ranking", new[] { "SemanticMatch.Ranking.Training", "ScottPlot" })]
    [InlineData("SemanticMatch.Collections.Postgres", new[] { "Lucene.Net", "Cloud.Unum.USearch", "SemanticMatch.Index" })]
    [InlineData("SemanticMatch.Search", new[] { "Lucene.Net", "Cloud.Unum.USearch", "Microsoft.ML.OnnxRuntime" })]
    public void A_library_does_not_carry_what_it_does_not_run(string project, string[] absent)
    {
        var closure = Closure(project);

        Assert.Contains("SemanticMatch.Core", closure); // the file was read: every library stands on Core
        Assert.Equal([], absent.Where(closure.Contains).ToArray()); // names whatever slipped in
    }

    [Fact]
    public void Ranker_training_carries_the_plotting_the_serving_ranker_left_behind()
    {
        Assert.Contains("ScottPlot", Closure("SemanticMatch.Ranking.Training"));
        Assert.Contains("SemanticMatch.Ranking", Closure("SemanticMatch.Ranking.Training"));
    }

    private static HashSet<string> Closure(string project)
    {
        var assets = Path.Combine(PackagesFixture.RepositoryRoot, "src", project, "obj", "project.assets.json");
        using var document = JsonDocument.Parse(File.ReadAllText(assets));
        return document.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(library => library.Name[..library.Name.IndexOf('/', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);
    }
}
