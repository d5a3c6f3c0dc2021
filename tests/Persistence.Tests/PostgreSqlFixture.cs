using FleaMarket.TestKit.Engines;

namespace FleaMarket.Persistence.Tests;

/// <summary>
/// One throwaway PostgreSQL server per test collection, with one database holding the journal schema. Tests keep
/// apart by fresh stream ids and service ids, not fresh databases. The server goes away with the collection,
/// whether its tests passed or not.
/// </summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private PostgreSqlServer? _server;

    public PostgreSqlServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await PostgreSqlServer.StartNewAsync();
        try
        {
            ConnectionString = await _server.CreateDatabaseAsync("journal");
            await TestSchema.ApplyPostgreSqlAsync(ConnectionString, "200_journal.sql", "210_journal_tags.sql");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is null) return;
        var server = _server;
        _server = null;
        await server.DisposeAsync();
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
