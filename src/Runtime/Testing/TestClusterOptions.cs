using FleaMarket.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Runtime.Testing;

/// <summary>How a <see cref="TestCluster"/> is built.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Silos started by <see cref="TestCluster.DeployAsync"/>. Default 2.</summary>
    public int InitialSilos { get; set; } = 2;

    /// <summary>
    /// Membership timing for tests: short probes so a killed silo is declared dead in about a second.
    /// Default probe timeout 300 ms, 3 missed probes, table refresh and I-am-alive 500 ms.
    /// </summary>
    public ClusterMembershipOptions Membership { get; set; } = new()
    {
        ProbeTimeout = TimeSpan.FromMilliseconds(300),
        NumMissedProbesLimit = 3,
        TableRefreshPeriod = TimeSpan.FromMilliseconds(500),
        IAmAlivePeriod = TimeSpan.FromMilliseconds(500),
        JoinTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Clock of every silo and client; default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The membership table of the cluster (e.g. Redis or PostgreSQL in integration tests); default a new in-memory table.</summary>
    public IMembershipTable? MembershipTable { get; set; }

    /// <summary>
    /// Whether every silo shares the cluster's in-memory grain storage, journal and reminder table (default true).
    /// Set false to register real engines in <see cref="ConfigureSilo"/>.
    /// </summary>
    public bool UseInMemoryStorage { get; set; } = true;

    /// <summary>Adds grain classes, storage, options and services to every silo.</summary>
    public Action<IServiceCollection>? ConfigureSilo { get; set; }
}
