using FleaMarket.Runtime.PostgreSql.Hosting;
using FleaMarket.TestKit.Engines;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Tests;

/// <summary>
/// One throwaway PostgreSQL server and one migrated database per test collection. Tests isolate themselves
/// with fresh grain, cluster and service ids, not fresh databases.
/// </summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private PostgreSqlServer? _server;
    private NpgsqlDataSource? _dataSource;

    public PostgreSqlServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public string ConnectionString { get; private set; } = "";

    internal PostgreSqlDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgreSqlServer.StartNewAsync();
        ConnectionString = await _server.CreateDatabaseAsync("fleamarket");
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        Database = new PostgreSqlDatabase(_dataSource);
        await Database.EnsureMigratedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Database is not null) await Database.DisposeAsync();
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The tests that share the main server; none of them stops it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlFixture>
{
    public const string Name = "PostgreSql";
}

/// <summary>Tests that stop and restart their server get one of their own, so the shared one never goes down.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlOutageCollection : ICollectionFixture<PostgreSqlFixture>
{
    public const string Name = "PostgreSql outage";
}
