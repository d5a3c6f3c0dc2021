using FleaMarket.Benchmarks.Grains;
using FleaMarket.Benchmarks.Load;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>
/// Two Orleans silos (A and B) and an external client, all in this process but talking over loopback TCP, with ping
/// grains placed so a scenario aims at exactly one path: silo A's grains to silo A's (local), silo A's grains to silo
/// B's (cross-silo), client to both silos (client).
/// </summary>
internal sealed class BenchmarkCluster : IAsyncDisposable
{
    private readonly IHost _siloA;
    private readonly IHost _siloB;
    private readonly IHost _client;
    private MembershipVersion _version;

    private BenchmarkCluster(IHost siloA, IHost siloB, IHost client)
    {
        _siloA = siloA;
        _siloB = siloB;
        _client = client;
    }

    /// <summary>Caller grains on silo A, one per caller.</summary>
    public ICallerGrain[] Callers { get; private set; } = [];

    /// <summary>Ping grains on silo A.</summary>
    public IPingGrain[] LocalTargets { get; private set; } = [];

    /// <summary>Ping grains on silo B.</summary>
    public IPingGrain[] CrossSiloTargets { get; private set; } = [];

    /// <summary>Ping grains on both silos, alternating, referenced through the client.</summary>
    public IPingGrain[] ClientTargets { get; private set; } = [];

    /// <summary>
    /// Starts the silos and the client, and activates <paramref name="callers"/> caller grains and as many targets per
    /// scenario. Caller grains record into <paramref name="control"/>.
    /// </summary>
    public static async Task<BenchmarkCluster> StartAsync(int callers, LoadControl control)
    {
        var clusterId = $"bench-{Guid.NewGuid():N}";
        var a = OrleansHosts.Endpoints.Free();
        var b = OrleansHosts.Endpoints.Free();
        // Orleans' default membership timings (5 s probes), as in production.
        var siloA = OrleansHosts.BuildSilo(clusterId, "A", a, a.Silo, silo => silo.Services.AddSingleton(control));
        var siloB = OrleansHosts.BuildSilo(clusterId, "B", b, a.Silo, silo => silo.Services.AddSingleton(control));
        await siloA.StartAsync();
        await siloB.StartAsync();
        var client = OrleansHosts.BuildClient(clusterId, a.Gateway, b.Gateway);
        await client.StartAsync();

        var cluster = new BenchmarkCluster(siloA, siloB, client);
        await cluster.PlaceGrainsAsync(callers);
        cluster._version = cluster.Membership().CurrentSnapshot.Version;
        return cluster;
    }

    /// <summary>
    /// Throws if a silo left the cluster under load: every "cross-silo" call would have become a local one and the
    /// numbers nonsense. Returns a note if membership changed otherwise (a suspicion vote, for instance).
    /// </summary>
    public string? EnsureBothSilosActive()
    {
        var snapshot = Membership().CurrentSnapshot;
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        if (active != 2)
        {
            throw new InvalidOperationException($"Membership changed under load: version {snapshot.Version} lists {active} active silos, not 2.");
        }

        if (snapshot.Version == _version) return null;
        var note = $"membership changed from version {_version} to {snapshot.Version}; both silos still active";
        _version = snapshot.Version;
        return note;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in new[] { _client, _siloB, _siloA })
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private IClusterMembershipService Membership() => _siloA.Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>
    /// Activates every grain from the silo it should live on (they prefer local placement), checks where each landed,
    /// and so makes sure no measurement pays for an activation or measures another path than it claims.
    /// </summary>
    private async Task PlaceGrainsAsync(int count)
    {
        var factoryA = _siloA.Services.GetRequiredService<IGrainFactory>();
        var factoryB = _siloB.Services.GetRequiredService<IGrainFactory>();
        var addressA = _siloA.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var addressB = _siloB.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        Callers = [.. Enumerable.Range(0, count).Select(i => factoryA.GetGrain<ICallerGrain>(i))];
        LocalTargets = [.. Enumerable.Range(0, count).Select(i => factoryA.GetGrain<IPingGrain>($"local-{i}"))];
        var onB = Enumerable.Range(0, count).Select(i => factoryB.GetGrain<IPingGrain>($"cross-{i}")).ToArray();
        var clientOnA = Enumerable.Range(0, count - count / 2).Select(i => factoryA.GetGrain<IPingGrain>($"client-a-{i}")).ToArray();
        var clientOnB = Enumerable.Range(0, count / 2).Select(i => factoryB.GetGrain<IPingGrain>($"client-b-{i}")).ToArray();

        await ExpectAsync(Callers.Select(g => g.Where()), addressA, "caller grains");
        await ExpectAsync(LocalTargets.Concat(clientOnA).Select(g => g.Where()), addressA, "ping grains for silo A");
        await ExpectAsync(onB.Concat(clientOnB).Select(g => g.Where()), addressB, "ping grains for silo B");

        // Silo A's own references to silo B's grains; the client's references, alternating between the silos.
        CrossSiloTargets = [.. onB.Select(g => factoryA.GetGrain<IPingGrain>(g.GetPrimaryKeyString()))];
        var client = _client.Services.GetRequiredService<IClusterClient>();
        var alternating = new List<IPingGrain>(count);
        for (var i = 0; i < clientOnA.Length; i++)
        {
            alternating.Add(clientOnA[i]);
            if (i < clientOnB.Length) alternating.Add(clientOnB[i]);
        }

        ClientTargets = [.. alternating.Select(g => client.GetGrain<IPingGrain>(g.GetPrimaryKeyString()))];
        await Task.WhenAll(ClientTargets.Select(g => g.Ping(new PingValue(0))));
    }

    private static async Task ExpectAsync(IEnumerable<Task<SiloAddress>> placements, SiloAddress expected, string what)
    {
        var actual = await Task.WhenAll(placements);
        var elsewhere = actual.Count(silo => !silo.Equals(expected));
        if (elsewhere > 0)
        {
            throw new InvalidOperationException($"{elsewhere} of {actual.Length} {what} were activated on another silo than {expected}.");
        }
    }
}
