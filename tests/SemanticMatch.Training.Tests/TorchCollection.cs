namespace SemanticMatch.Training.Tests;

/// <summary>
/// Torch's random generator is process-global: tests that seed it and build models must not interleave with other
/// torch tests, so every test class here shares this (sequential) collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
