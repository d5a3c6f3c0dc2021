using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;

namespace FleaMarket.Runtime.Tests.Testing;

/// <summary>A two-silo test cluster started once for a test collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new(NewOptions(2));

    public static TestClusterOptions NewOptions(int silos, TimeProvider? time = null) => new()
    {
        InitialSilos = silos,
        TimeProvider = time ?? TimeProvider.System,
        ConfigureSilo = services => services.AddGrainsFrom(typeof(EchoGrain).Assembly),
    };

    public Task InitializeAsync() => Cluster.DeployAsync();

    public Task DisposeAsync() => Cluster.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "two-silo cluster";
}
