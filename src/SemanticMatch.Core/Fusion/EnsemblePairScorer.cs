namespace SemanticMatch.Core.Fusion;

/// <summary>
/// Several re-rankers as one: when every member predicts relevance on the labels' scale, the score is their mean (still a
/// predicted relevance); otherwise each member's scores are standardised over the query's texts (mean 0, deviation 1)
/// and averaged, so members on different scales weigh the same.
/// </summary>
/// <remarks>Owns its members: disposing the ensemble disposes them.</remarks>
public sealed class EnsemblePairScorer : IOwnedPairScorer
{
    /// <summary>Separates members in a model argument ("ce-minilm+ce-arctic").</summary>
    public const char Separator = '+';

    private readonly IReadOnlyList<IOwnedPairScorer> _members;

    /// <summary>Combines two or more scorers.</summary>
    public EnsemblePairScorer(IReadOnlyList<IOwnedPairScorer> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfLessThan(members.Count, 2);
        _members = members;
        ScoresRelevance = members.All(m => m.ScoresRelevance);
        Identity = string.Join(Separator, members.Select(m => m.Identity));
    }

    /// <summary>The re-rankers combined.</summary>
    public IReadOnlyList<IOwnedPairScorer> Members => _members;

    /// <inheritdoc />
    public string Identity { get; }

    /// <inheritdoc />
    public bool ScoresRelevance { get; }

    /// <summary>Every member reads every pair.</summary>
    public int CountTokens(string query, IReadOnlyList<string> texts) => _members.Sum(m => m.CountTokens(query, texts));

    /// <inheritdoc />
    public float[] Score(string query, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var total = new double[texts.Count];
        foreach (var member in _members)
        {
            var scores = member.Score(query, texts, cancellationToken);
            var (mean, deviation) = ScoresRelevance ? (0.0, 1.0) : Spread(scores);
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += (scores[i] - mean) / deviation;
            }
        }

        return total.Select(t => (float)(t / _members.Count)).ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }
    }

    // Mean and standard deviation (1 where the scores are all equal, so they standardise to 0).
    private static (double Mean, double Deviation) Spread(float[] scores)
    {
        if (scores.Length == 0)
        {
            return (0, 1);
        }

        var mean = scores.Average(s => (double)s);
        var deviation = Math.Sqrt(scores.Average(s => (s - mean) * (s - mean)));
        return (mean, deviation > 1e-9 ? deviation : 1);
    }
}
