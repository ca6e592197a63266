using SemanticMatch.Collections.Experiments;

namespace SemanticMatch.Collections.Embedded;

/// <summary>
/// Experiments of the embedded store: <c>DATA/experiments.json</c> (one per collection), replaced atomically under the
/// lock that creates and drops collections; a dropped collection's experiment goes with it.
/// </summary>
public sealed partial class EmbeddedCollectionStore : ICollectionExperiments
{
    private const string ExperimentsFile = "experiments.json";

    private volatile Dictionary<string, Experiment> _experiments = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<Experiment?> ExperimentAsync(string collection, CancellationToken cancellationToken = default) =>
        Task.FromResult(_experiments.GetValueOrDefault(collection));

    /// <inheritdoc />
    public async Task StartExperimentAsync(Experiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        experiment.Checked();
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var name in new[] { experiment.Collection, experiment.Candidate })
            {
                if (!_collections.ContainsKey(name))
                {
                    throw new CollectionNotFoundException(name);
                }
            }

            SaveExperiments(new Dictionary<string, Experiment>(_experiments, StringComparer.Ordinal) { [experiment.Collection] = experiment });
        }
        finally
        {
            _schema.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> StopExperimentAsync(string collection, CancellationToken cancellationToken = default)
    {
        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return StopLocked(collection);
        }
        finally
        {
            _schema.Release();
        }
    }

    // Under the schema lock.
    private bool StopLocked(string collection)
    {
        if (!_experiments.ContainsKey(collection))
        {
            return false;
        }

        var remaining = new Dictionary<string, Experiment>(_experiments, StringComparer.Ordinal);
        remaining.Remove(collection);
        SaveExperiments(remaining);
        return true;
    }

    private void SaveExperiments(Dictionary<string, Experiment> experiments)
    {
        JsonMapFile.Save(_options.Files, Path.Combine(_dataDirectory, ExperimentsFile), experiments, "experiments");
        _experiments = experiments;
    }

    private static Dictionary<string, Experiment> LoadExperiments(string dataDirectory) =>
        JsonMapFile.Load<Experiment>(Path.Combine(dataDirectory, ExperimentsFile), "it maps each collection to its experiment");
}
