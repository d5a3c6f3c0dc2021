using FleaMarket.TestKit.Engines;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// Two src/Silo processes sharing a throwaway Redis membership table, grain state in memory: dash-1 also serves
/// the API and protects its dashboard and /metrics with <see cref="AccessKey"/>, its admin port answering the default
/// loopback host names; dash-2 is a pure silo without a key whose admin port answers <see cref="SecondAllowedHosts"/>. Tests may add silos with <see cref="StartSiloAsync"/> and stop them with <see cref="StopSiloAsync"/>.
/// Every process is killed on dispose, when start fails halfway, and when the test host exits.
/// </summary>
public sealed class DashboardCluster : IAsyncLifetime
{
    public const string AccessKey = "dashboard-test-key";

    /// <summary>dash-2's Admin:AllowedHosts: the address the tests' probes use, and a name Chromium maps to loopback.</summary>
    public const string SecondAllowedHosts = "127.0.0.1;*.admin.test";
    private const int StartAttempts = 3;
    private readonly List<SiloProcess> _silos = [];
    private readonly Lock _gate = new();
    private RedisServer? _redis;

    public DashboardCluster() => AppDomain.CurrentDomain.ProcessExit += KillAllOnExit;

    internal SiloProcess First { get; private set; } = null!;

    internal SiloProcess Second { get; private set; } = null!;

    /// <summary>The silos started and not stopped since: the cluster's expected active members.</summary>
    internal int RunningCount
    {
        get
        {
            lock (_gate) return _silos.Count(s => !s.HasExited);
        }
    }

    public async Task InitializeAsync()
    {
        try
        {
            _redis = await RedisServer.StartNewAsync();
            // Both join at once: Orleans settles concurrent joins through the table's version, and it saves a start.
            var first = StartSiloAsync("dash-1", new() { ["Api__Enabled"] = "true", ["Dashboard__AccessKey"] = AccessKey });
            var second = StartSiloAsync("dash-2", new() { ["Admin__AllowedHosts"] = SecondAllowedHosts });
            await Task.WhenAll(first, second);
            (First, Second) = (first.Result, second.Result);
        }
        catch
        {
            // xunit may not dispose a fixture whose start failed: nothing may outlive the test run.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts another silo in the cluster (a pure silo unless <paramref name="extra"/> says otherwise) and returns
    /// once it holds its ports and its /health/ready answers 200; a start that lost a port race is retried.
    /// </summary>
    internal async Task<SiloProcess> StartSiloAsync(string name, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Engines__Membership"] = "Redis",
            ["Redis__Configuration"] = _redis!.Endpoint,
            ["Engines__Storage"] = "InMemory",
            ["Api__Enabled"] = "false",
            // Peers read the table every second instead of every 2 s, so a joining silo shows up quickly.
            ["Membership__TableRefreshTimeout"] = "00:00:01",
            // The silo's 1 s probe timeout (fast failover) makes a join fail on a machine busy with other builds;
            // these tests stop silos gracefully and never wait for failure detection, so Orleans' default is kept.
            ["Membership__ProbeTimeout"] = "00:00:05",
            ["Membership__NumMissedProbesLimit"] = "3",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;

        for (var attempt = 1; ; attempt++)
        {
            var silo = SiloProcess.Start(name, settings);
            lock (_gate) _silos.Add(silo);
            try
            {
                await silo.WaitUntilReadyAsync();
                return silo;
            }
            catch (SiloExitedException exited) when (attempt < StartAttempts && exited.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // A port picked free was taken by another process before the silo bound it: pick new ones.
                await ForgetAsync(silo);
            }
            catch
            {
                await ForgetAsync(silo);
                throw;
            }
        }
    }

    /// <summary>Stops a silo gracefully (it leaves the membership table) and forgets it.</summary>
    internal async Task StopSiloAsync(SiloProcess silo)
    {
        try
        {
            await silo.StopAsync();
        }
        finally
        {
            await ForgetAsync(silo);
        }
    }

    private async Task ForgetAsync(SiloProcess silo)
    {
        lock (_gate) _silos.Remove(silo);
        await silo.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillAllOnExit;
        List<SiloProcess> silos;
        lock (_gate)
        {
            silos = [.. _silos];
            _silos.Clear();
        }

        await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        if (_redis is not null) await _redis.DisposeAsync();
        _redis = null;
    }

    private void KillAllOnExit(object? sender, EventArgs e)
    {
        lock (_gate)
        {
            foreach (var silo in _silos) silo.KillNow();
        }

        _redis?.StopAsync().Wait(TimeSpan.FromSeconds(5));
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardClusterCollection : ICollectionFixture<DashboardCluster>
{
    public const string Name = "dashboard cluster";
}
