using FleaMarket.Benchmarks.Grains;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Placement;
using FleaMarket.Runtime.Testing;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>
/// Two silos on loopback TCP and a client, with ping grains sorted by owner so a scenario can aim at
/// exactly one path: silo A to its own grains (local), silo A to silo B's grains (cross-silo), client to silo.
/// </summary>
internal sealed class BenchmarkCluster : IAsyncDisposable
{
    private readonly TestCluster _cluster;
    private long _viewVersion;

    private BenchmarkCluster(TestCluster cluster) => _cluster = cluster;

    /// <summary>Grains owned by silo A, referenced through silo A's factory.</summary>
    public IPingGrain[] LocalTargets { get; private set; } = [];

    /// <summary>Grains owned by silo B, referenced through silo A's factory.</summary>
    public IPingGrain[] CrossSiloTargets { get; private set; } = [];

    /// <summary>Grains on both silos, referenced through the cluster client.</summary>
    public IPingGrain[] ClientTargets { get; private set; } = [];

    /// <summary>Starts the cluster and activates <paramref name="grainsPerScenario"/> grains for each scenario.</summary>
    public static async Task<BenchmarkCluster> StartAsync(int grainsPerScenario)
    {
        var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = 2,
            // Production failure detection (5 s probes), not the test cluster's 300 ms: under a saturating load
            // the probes queue behind grain work on the shared thread pool and a healthy peer gets declared dead.
            Membership = new ClusterMembershipOptions(),
            ConfigureSilo = services => services.AddGrainsFrom(typeof(PingGrain).Assembly),
        });
        await cluster.DeployAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        var result = new BenchmarkCluster(cluster);
        result.PickTargets(grainsPerScenario);
        await result.ActivateAllAsync();
        result._viewVersion = cluster.Silos[0].Silo.View.Version;
        return result;
    }

    /// <summary>
    /// Throws if membership changed since start: a silo declared dead under load would turn every
    /// "cross-silo" call into a local one and the numbers into nonsense.
    /// </summary>
    public void EnsureMembershipUnchanged()
    {
        var silos = _cluster.Silos;
        var view = silos[0].Silo.View;
        if (silos.Count != 2 || view.ActiveSilos.Length != 2 || view.Version != _viewVersion)
        {
            throw new InvalidOperationException(
                $"Membership changed under load: view v{view.Version} (was v{_viewVersion}) lists {view.ActiveSilos.Length} active silos, {silos.Count} running.");
        }
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private void PickTargets(int count)
    {
        var a = _cluster.Silos[0].Silo;
        var b = _cluster.Silos[1].Silo;
        var ownedByA = new List<string>();
        var ownedByB = new List<string>();
        for (var n = 0; ownedByA.Count < count || ownedByB.Count < count; n++)
        {
            var key = $"ping-{n}";
            var owner = GrainOwnership.OwnerOf(GrainId.FromString("ping", key), a.View);
            (owner == a.Address ? ownedByA : ownedByB).Add(key);
        }

        LocalTargets = [.. ownedByA.Take(count).Select(a.GrainFactory.GetGrain<IPingGrain>)];
        CrossSiloTargets = [.. ownedByB.Take(count).Select(a.GrainFactory.GetGrain<IPingGrain>)];
        // Interleaved so any prefix of the client's targets spreads over both silos.
        ClientTargets = [.. ownedByA.Take(count / 2).Zip(ownedByB.Take(count - count / 2))
            .SelectMany(pair => new[] { pair.First, pair.Second })
            .Select(_cluster.Client.GetGrain<IPingGrain>)];
    }

    /// <summary>Creates every activation up front so no measurement pays for activation.</summary>
    private async Task ActivateAllAsync()
    {
        await Task.WhenAll(LocalTargets.Concat(CrossSiloTargets).Concat(ClientTargets).Select(g => g.Ping(0)));
    }
}
