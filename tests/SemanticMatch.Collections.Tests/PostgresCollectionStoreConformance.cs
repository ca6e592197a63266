using Npgsql;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Testing;

namespace SemanticMatch.Collections.Tests;

/// <summary>One PGlite database for a test class, emptied before each test.</summary>
public sealed class PgliteFixture : IAsyncLifetime
{
    public PgliteServer? Server { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (PgliteServer.Locate().Missing is null)
        {
            Server = await PgliteServer.StartAsync();
        }
    }

    /// <summary>Drops everything the store created (its tables, indexes and the vector extension).</summary>
    public async Task<string> EmptyAsync()
    {
        if (Server is null)
        {
            Assert.Skip(PgliteServer.Locate().Missing!);
        }

        var connectionString = Server.ConnectionString();
        NpgsqlConnection.ClearAllPools(); // the database may have been restarted: pooled connections are dead
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var reset = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public", connection, transaction);
        await reset.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>The store conformance suite against PostgreSQL + pgvector (PGlite), the database emptied before each test.</summary>
public sealed class PostgresCollectionStoreConformance(PgliteFixture database) : CollectionStoreConformance, IClassFixture<PgliteFixture>
{
    private readonly FakeModels _models = new();
    private string _connectionString = string.Empty;

    protected override async Task<ICollectionStore> OpenEmptyAsync()
    {
        _connectionString = await database.EmptyAsync();
        return await OpenAgainAsync();
    }

    protected override async Task<ICollectionStore> OpenAgainAsync() =>
        await PostgresCollectionStore.OpenAsync(_models, new PostgresStoreOptions { ConnectionString = _connectionString },
            TestContext.Current.CancellationToken);

    protected override ValueTask DeleteStorageAsync() => ValueTask.CompletedTask;
}
