using FleaMarket.TestKit.Engines;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>One throwaway PostgreSQL server for the schema tests; every test creates its own database on it.</summary>
public sealed class PostgreSqlServerFixture : IAsyncLifetime
{
    private PostgreSqlServer? _server;

    public async Task InitializeAsync() => _server = await PostgreSqlServer.StartNewAsync();

    /// <summary>A new, empty database; its Npgsql connection string.</summary>
    public Task<string> CreateDatabaseAsync() =>
        (_server ?? throw new InvalidOperationException("The server did not start.")).CreateDatabaseAsync("schema");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgreSqlSchemaCollection : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "PostgreSQL schema";
}
