using FleaMarket.TestKit.Engines;

namespace FleaMarket.Cluster.Tests.Engines;

/// <summary>
/// One throwaway PostgreSQL server and one redis-server per collection. Tests isolate themselves with a fresh
/// database and fresh cluster ids, never by sharing data.
/// </summary>
public sealed class EngineServersFixture : IAsyncLifetime
{
    private PostgreSqlServer? _postgres;
    private RedisServer? _redis;

    public PostgreSqlServer Postgres => _postgres ?? throw new InvalidOperationException("The fixture has not started.");

    public RedisServer Redis => _redis ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        var postgres = PostgreSqlServer.StartNewAsync();
        var redis = RedisServer.StartNewAsync();
        _postgres = await postgres;
        _redis = await redis;
    }

    /// <summary>Stops both servers; safe to call twice.</summary>
    public async Task DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        _redis = null;
        if (_postgres is not null) await _postgres.DisposeAsync();
        _postgres = null;
    }
}

/// <summary>Tests that share the servers; none of them stops one.</summary>
[CollectionDefinition(Name)]
public sealed class EnginesCollection : ICollectionFixture<EngineServersFixture>
{
    public const string Name = "Engines";
}
