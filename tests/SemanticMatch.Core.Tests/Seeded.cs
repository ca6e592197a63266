using FsCheck;

namespace SemanticMatch.Core.Tests;

/// <summary>Runs FsCheck properties with a fixed seed, printed on failure, so every run checks the same cases.</summary>
internal static class Seeded
{
    public const ulong Seed = 20261126;

    public static void Check(Property property, int maxTest = 200) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithReplay(Seed, 0x9E3779B97F4A7C15UL).WithMaxTest(maxTest).WithName($"seed {Seed}"), property);
}
