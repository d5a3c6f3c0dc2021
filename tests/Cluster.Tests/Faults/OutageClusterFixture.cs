using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Cluster.Tests.MultiProcess;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>
/// For tests that stop and restart engine servers: servers of their own (the shared ones never go down) and one
/// running multi-process cluster on them (two silos, one API node), started once for the collection. Each test
/// leaves the servers running and the cluster serving, and uses fresh users, markets and listings.
/// </summary>
public sealed class OutageClusterFixture : IAsyncLifetime
{
    private readonly EngineServersFixture _engines = new();
    private ProcessCluster? _cluster;

    public EngineServersFixture Engines => _engines;

    internal ProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        try
        {
            await _engines.InitializeAsync();
            _cluster = ProcessCluster.Create(_engines.Redis.Endpoint, await _engines.Postgres.CreateDatabaseAsync("outage"));
            await _cluster.StartAsync(silos: 2);
        }
        catch (Exception e)
        {
            var logs = _cluster?.Logs();
            await DisposeAsync();
            throw new InvalidOperationException($"The outage cluster did not start: {e.Message}\n{logs}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _cluster = null;
        await _engines.DisposeAsync();
    }
}

/// <summary>Tests that stop and restart the engine servers under a running cluster.</summary>
[CollectionDefinition(Name)]
public sealed class EngineOutageCollection : ICollectionFixture<OutageClusterFixture>
{
    public const string Name = "Engine outage";
}
