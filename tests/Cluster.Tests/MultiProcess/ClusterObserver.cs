using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// The test's own Orleans client of a multi-process cluster, on the same Redis membership table as the silos:
/// reads the membership table (who is Active, who was declared Dead) and where an activation lives, through
/// Orleans' management grain. It calls no flea-market grain.
/// </summary>
internal sealed class ClusterObserver : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterObserver(IHost host) => _host = host;

    private IManagementGrain Management => _host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);

    public static async Task<ClusterObserver> ConnectAsync(string redis, string clusterId, string serviceId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ClusterObserver(host);
    }

    /// <summary>Every silo row of the membership table, by silo name (the latest row per name).</summary>
    public async Task<IReadOnlyDictionary<string, MembershipEntry>> MembersAsync()
    {
        var rows = await Management.GetDetailedHosts(onlyActive: false);
        return rows.GroupBy(r => r.SiloName).ToDictionary(g => g.Key, g => g.MaxBy(r => r.SiloAddress.Generation)!);
    }

    /// <summary>The name of the silo holding the activation of grain <paramref name="grainType"/>/<paramref name="key"/>, or null if none.</summary>
    public async Task<string?> SiloOfAsync(string grainType, string key)
    {
        var client = _host.Services.GetRequiredService<IClusterClient>();
        var address = await Management.GetActivationAddress(client.GetGrain(GrainId.Create(grainType, key)));
        if (address is null) return null;
        var members = await MembersAsync();
        return members.Values.Single(m => m.SiloAddress.Equals(address)).SiloName;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(stop.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
