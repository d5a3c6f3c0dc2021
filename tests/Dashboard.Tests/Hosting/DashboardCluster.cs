using FleaMarket.TestKit.Engines;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// Two src/Silo processes sharing a throwaway Redis membership table: dash-1 serves the API too and protects its
/// dashboard with <see cref="AccessKey"/>; dash-2 is a pure silo without a key. Tests may add silos with
/// <see cref="StartSiloAsync"/>; every process is killed on dispose.
/// </summary>
public sealed class DashboardCluster : IAsyncLifetime
{
    public const string AccessKey = "dashboard-test-key";
    private readonly List<SiloProcess> _silos = [];
    private readonly Lock _gate = new();
    private RedisServer? _redis;

    internal SiloProcess First => _silos[0];

    internal SiloProcess Second => _silos[1];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        // One after the other so dash-1 is the oldest silo and both join a table that already exists.
        await StartSiloAsync("dash-1", new() { ["Api__Enabled"] = "true", ["Dashboard__AccessKey"] = AccessKey });
        await StartSiloAsync("dash-2", new() { ["Api__Enabled"] = "false" });
    }

    /// <summary>Starts another silo in the cluster (a pure silo unless <paramref name="extra"/> says otherwise).</summary>
    internal async Task<SiloProcess> StartSiloAsync(string name, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Engines__Membership"] = "Redis",
            ["Redis__Endpoint"] = _redis!.Endpoint,
            ["Engines__Storage"] = "InMemory",
            ["Api__Enabled"] = "false",
            // Peers notice joins within a second instead of the 5 s default, so the page's wait stays short.
            ["Membership__TableRefreshPeriod"] = "00:00:01",
            ["Membership__IAmAlivePeriod"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        var silo = await SiloProcess.StartAsync(name, settings);
        lock (_gate) _silos.Add(silo);
        return silo;
    }

    public async Task DisposeAsync()
    {
        List<SiloProcess> silos;
        lock (_gate) silos = [.. _silos];
        foreach (var silo in silos) await silo.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardClusterCollection : ICollectionFixture<DashboardCluster>
{
    public const string Name = "dashboard cluster";
}
