namespace SemanticMatch.Server.Tests;

/// <summary>One server process with three keys (admin, writer, reader) for the API tests; the demo collection is created on start.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "semmatch-server-" + Guid.NewGuid().ToString("N"));

    public string Data => Path.Combine(Root, "data");

    public string Models => Path.Combine(Root, "models");

    public string Admin { get; private set; } = string.Empty;

    public string Writer { get; private set; } = string.Empty;

    public string Reader { get; private set; } = string.Empty;

    public ServerProcess Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Admin = Keys.Add(Data, "admin", "read,write,admin");
        Writer = Keys.Add(Data, "writer", "read,write");
        Reader = Keys.Add(Data, "reader", "read");
        Server = await ServerProcess.StartAsync(Data, Models);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
