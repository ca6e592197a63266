using SemanticMatch.Testing;

namespace SemanticMatch.Server.Tests;

/// <summary>A server process with three keys (admin, writer, reader), on the embedded store or on PostgreSQL (PGlite).</summary>
public abstract class KeyedServerFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "semmatch-server-" + Guid.NewGuid().ToString("N"));

    public string Data => Path.Combine(Root, "data");

    public string Models => Path.Combine(Root, "models");

    public string Admin { get; private set; } = string.Empty;

    public string Writer { get; private set; } = string.Empty;

    public string Reader { get; private set; } = string.Empty;

    public ServerProcess Server { get; private set; } = null!;

    /// <summary>Why the suite cannot run here (its store is not installed), or null.</summary>
    public virtual string? Missing => null;

    public virtual async ValueTask InitializeAsync()
    {
        if (Missing is not null)
        {
            return;
        }

        Admin = Keys.Add(Data, "admin", "read,write,admin");
        Writer = Keys.Add(Data, "writer", "read,write");
        Reader = Keys.Add(Data, "reader", "read");
        Server = await ServerProcess.StartAsync(Data, Models, await StoreArgumentsAsync());
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task<string[]> StoreArgumentsAsync();
}

/// <summary>PostgreSQL with pgvector (PGlite); tests using it skip without it.</summary>
public sealed class PostgresServiceFixture : KeyedServerFixture
{
    private PgliteServer? _database;

    public override string? Missing => PgliteServer.Locate().Missing;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override async Task<string[]> StoreArgumentsAsync()
    {
        _database = await PgliteServer.StartAsync();
        return ["--store", "postgres", "--connection", _database.ConnectionString(pool: 4)];
    }
}
