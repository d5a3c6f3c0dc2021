using FleaMarket.Api.Limits;
using FleaMarket.Grains;
using FleaMarket.Persistence;
using FleaMarket.TestKit.Orleans;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace FleaMarket.Api.Tests.Infrastructure;

/// <summary>
/// An Orleans test cluster (Microsoft.Orleans.TestingHost, in-process silos on an in-memory transport) of
/// flea-market silos, with API nodes in front of it. The first API node calls through the cluster's client;
/// further nodes call through a silo, as the embedded default does, so several nodes are several entry points.
/// </summary>
internal sealed class FleaMarketCluster : IAsyncDisposable
{
    private readonly List<ApiNode> _nodes = [];

    private FleaMarketCluster(InProcessTestCluster cluster, SharedGrainStore store)
    {
        Cluster = cluster;
        Store = store;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The grain state of every silo; it counts writes.</summary>
    public SharedGrainStore Store { get; }

    public IReadOnlyList<ApiNode> Nodes => _nodes;

    /// <summary>Waits until every node's session cache is registered for revocations (so it serves, and logouts reach it).</summary>
    public Task WaitForSessionCachesAsync() =>
        FleaMarket.TestKit.Eventually.WaitUntilAsync(() => _nodes.All(n => n.SessionCacheRegistered), "every API node's session cache to register");

    /// <summary>Starts <paramref name="silos"/> silos and <paramref name="apiNodes"/> API nodes; <paramref name="time"/> is the grains' clock
    /// (market opening, session expiry) while Orleans' own timers stay on real time; <paramref name="configureApi"/> adjusts the API's settings,
    /// <paramref name="configureApiServices"/> anything else of an API node's.</summary>
    public static async Task<FleaMarketCluster> StartAsync(int silos = 2, int apiNodes = 1, TimeProvider? time = null, Action<ApiOptions>? configureApi = null,
        Action<LimitOptions>? configureLimits = null, Action<IServiceCollection>? configureApiServices = null)
    {
        // Grain state and order journals outlive any silo, as a database does: one store for the whole cluster
        // (the in-memory journal is shared by every silo of a service id).
        var store = new SharedGrainStore();
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
#pragma warning disable ORLEANSEXP003 // the strongly consistent directory, as the silo host uses
        builder.Options.UseDistributedGrainDirectory = true;
#pragma warning restore ORLEANSEXP003
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedGrainStorageAsDefault(store);
            silo.UseInMemoryReminderService();
            silo.Services.AddInMemoryJournal();
            silo.Services.AddFleaMarketGrains(o => o.WarmUpLead = TimeSpan.FromSeconds(5));
            // A type that crosses the wire without a serializer stops the silo at start, not a call in production.
            silo.Services.Configure<Orleans.Serialization.Configuration.TypeManifestOptions>(o => o.EnableConfigurationAnalysis = true);
            // PBKDF2 at production strength costs ~50 ms a hash; a thousand test buyers would spend a minute hashing.
            silo.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
            silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            if (time is not null)
            {
                silo.Services.RemoveAll<TimeProvider>();
                silo.Services.AddSingleton(time);
                silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }
        });
        var cluster = builder.Build();
        using var reminders = new ReminderServicesStarted();
        await cluster.DeployAsync();
        var fleaMarket = new FleaMarketCluster(cluster, store);
        try
        {
            await reminders.WaitForAsync(() => cluster.GetActiveSilos().Select(s => s.SiloAddress), TimeSpan.FromSeconds(90));
            var siloHandles = cluster.GetActiveSilos().ToArray();
            var apiSilos = new HashSet<SiloAddress>();
            for (var i = 0; i < apiNodes; i++)
            {
                IGrainFactory grains = cluster.Client;
                if (i > 0)
                {
                    var silo = siloHandles[(i - 1) % siloHandles.Length].SiloAddress;
                    apiSilos.Add(silo);
                    grains = cluster.GetSiloServiceProvider(silo).GetRequiredService<IGrainFactory>();
                }

                fleaMarket._nodes.Add(await ApiNode.StartAsync(grains, configureApi, configureLimits, configureServices: configureApiServices));
            }

            fleaMarket.ApiSilos = apiSilos;
        }
        catch
        {
            await fleaMarket.DisposeAsync();
            throw;
        }

        return fleaMarket;
    }

    /// <summary>Silos that API nodes call through (all but the first node): a test that kills a silo spares these.</summary>
    public IReadOnlySet<SiloAddress> ApiSilos { get; private set; } = new HashSet<SiloAddress>();

    /// <summary>The silo holding the activation of <paramref name="grainId"/>, or null when it is not activated.</summary>
    public SiloAddress? SiloOf(GrainId grainId) => Cluster.TryGetGrainContext(grainId, out var context) ? context.Address.SiloAddress : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
