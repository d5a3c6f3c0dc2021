using FleaMarket.Runtime.Client;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Client;

public sealed class GatewayClientTests
{
    [Fact]
    public async Task Connect_ThroughGatewayEndpointsOnly_LearnsViewAndFailsOverWhenGatewayDies()
    {
        await using var cluster = new TestCluster(ClusterFixture.NewOptions(3));
        await cluster.DeployAsync();
        var gateway = cluster.Silos[0];
        await using var client = new ClusterClient([gateway.Silo.Address.Endpoint], new ClusterClientOptions { ViewRefreshPeriod = TimeSpan.FromMilliseconds(200) });
        await client.ConnectAsync();
        Assert.Equal(3, client.View.ActiveSilos.Length);

        var keys = Enumerable.Range(0, 50).Select(i => $"gw-{Guid.NewGuid():N}-{i}").ToArray();
        foreach (var key in keys) Assert.Equal($"{key}:a", await client.GetGrain<IEchoGrain>(key).Echo("a"));

        // The configured gateway leaves; the client keeps learning the view from the silos it knows.
        await cluster.StopSiloAsync(gateway);
        await cluster.WaitForLivenessToStabilizeAsync();
        await client.RefreshViewAsync();
        Assert.Equal(2, client.View.ActiveSilos.Length);
        foreach (var key in keys) Assert.Equal($"{key}:b", await client.GetGrain<IEchoGrain>(key).Echo("b"));
    }
}
