using FleaMarket.Grains;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Api.Tests.Infrastructure;

/// <summary>A test cluster of flea-market silos plus API nodes in front of it.</summary>
internal sealed class FleaMarketCluster : IAsyncDisposable
{
    private readonly List<ApiNode> _nodes = [];

    private FleaMarketCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    public IReadOnlyList<ApiNode> Nodes => _nodes;

    public static async Task<FleaMarketCluster> StartAsync(int silos = 2, int apiNodes = 1, TimeProvider? time = null, Action<ApiOptions>? configureApi = null)
    {
        var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = silos,
            TimeProvider = time ?? TimeProvider.System,
            ConfigureSilo = services =>
            {
                services.AddFleaMarketGrains(o => o.WarmUpLead = TimeSpan.FromSeconds(5));
                // PBKDF2 at production strength costs ~50 ms a hash; a thousand test buyers would spend a minute hashing.
                services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
                services.Configure<ReminderOptions>(o =>
                {
                    o.MinimumPeriod = TimeSpan.Zero;
                    o.RefreshPeriod = TimeSpan.FromSeconds(1);
                });
            },
        });
        await cluster.DeployAsync();
        var fleaMarket = new FleaMarketCluster(cluster);
        for (var i = 0; i < apiNodes; i++)
        {
            fleaMarket._nodes.Add(new ApiNode(i == 0 ? cluster.Client : await cluster.CreateClientAsync(), configureApi));
        }

        return fleaMarket;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
