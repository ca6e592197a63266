namespace SemanticMatch.Collections.Experiments;

/// <summary>
/// A live comparison: a share of a collection's first-page searches answer with the team-draft interleaving of its own
/// ranking and a candidate collection's (the same records under another model, say); the events of those searches say
/// which one shoppers preferred.
/// </summary>
/// <param name="Collection">The collection searched (its own name).</param>
/// <param name="Candidate">The collection compared against it.</param>
/// <param name="Share">The share of first-page searches interleaved, in (0, 1].</param>
/// <param name="Started">When it started (the report counts searches from then on).</param>
public sealed record Experiment(string Collection, string Candidate, double Share, DateTimeOffset Started)
{
    /// <summary>Checks the share and the names; returns the experiment.</summary>
    /// <exception cref="Core.InvalidRequestException">A bad name, the collection itself as candidate, or a share outside (0, 1].</exception>
    public Experiment Checked()
    {
        CollectionSettings.CheckName(Collection);
        CollectionSettings.CheckName(Candidate);
        if (Candidate == Collection)
        {
            throw new Core.InvalidRequestException("candidate: must be another collection than the one searched");
        }

        return Share is > 0 and <= 1 && double.IsFinite(Share)
            ? this
            : throw new Core.InvalidRequestException("share: must be more than 0 and at most 1 (the share of first-page searches interleaved)");
    }
}

/// <summary>The experiments of a store's collections, at most one a collection; durable like the collections.</summary>
public interface ICollectionExperiments
{
    /// <summary>The collection's running experiment, or null.</summary>
    Task<Experiment?> ExperimentAsync(string collection, CancellationToken cancellationToken = default);

    /// <summary>Starts an experiment (replacing the collection's running one).</summary>
    /// <exception cref="CollectionNotFoundException">The collection or the candidate does not exist.</exception>
    /// <exception cref="Core.InvalidRequestException">Bad values (<see cref="Experiment.Checked"/>).</exception>
    Task StartExperimentAsync(Experiment experiment, CancellationToken cancellationToken = default);

    /// <summary>Stops the collection's experiment; false when none ran. Its logged searches stay (the report still reads them).</summary>
    Task<bool> StopExperimentAsync(string collection, CancellationToken cancellationToken = default);
}
