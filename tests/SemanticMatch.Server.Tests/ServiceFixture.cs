namespace SemanticMatch.Server.Tests;

/// <summary>One server process on the embedded store with three keys (admin, writer, reader) for the API tests; the demo collection is created on start.</summary>
public sealed class ServiceFixture : KeyedServerFixture
{
    protected override Task<string[]> StoreArgumentsAsync() => Task.FromResult<string[]>([]);
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
