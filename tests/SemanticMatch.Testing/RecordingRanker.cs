using SemanticMatch.Search;

namespace SemanticMatch.Testing;

/// <summary>
/// A ranker that records the candidates each search hands it and scores them with <paramref name="score"/> (grade 2,
/// probability 0.5), so a test can compare what a served search gives its ranker with what training builds.
/// </summary>
public sealed class RecordingRanker(Func<CandidateSignals, float> score, int depth = 10) : IResultRanker
{
    /// <summary>The candidate lists seen, in call order.</summary>
    public List<IReadOnlyList<CandidateSignals>> Seen { get; } = [];

    /// <inheritdoc />
    public string Identity => "recording";

    /// <inheritdoc />
    public string? CrossEncoder => null;

    /// <inheritdoc />
    public int Depth => depth;

    /// <inheritdoc />
    public IReadOnlyList<RankerScore> Score(QuerySignals query, IReadOnlyList<CandidateSignals> items)
    {
        Seen.Add(items);
        return items.Select(i => new RankerScore(score(i), 2, 0.5f)).ToList();
    }
}
