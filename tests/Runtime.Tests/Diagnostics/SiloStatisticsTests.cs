using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Diagnostics;

public sealed class SiloStatisticsTests
{
    [Fact]
    public async Task GetClusterStatistics_TwoSilos_ReportsBothWithActivationsCallsAndHottestGrain()
    {
        await using var cluster = new TestCluster(ClusterFixture.NewOptions(2));
        await cluster.DeployAsync();
        var hot = $"hot-{Guid.NewGuid():N}";
        for (var i = 0; i < 50; i++) await cluster.Client.GetGrain<IEchoGrain>(hot).Echo("x");
        foreach (var i in Enumerable.Range(0, 40)) await cluster.Client.GetGrain<IEchoGrain>($"cold-{Guid.NewGuid():N}-{i}").Echo("y");

        var statistics = await cluster.Silos[0].Silo.GetClusterStatisticsAsync();

        Assert.Equal(2, statistics.Count);
        Assert.All(statistics, s => Assert.Null(s.Error));
        Assert.Equal(cluster.Silos.Select(s => s.Silo.Address.ToString()).Order(), statistics.Select(s => s.Address).Order());
        Assert.Equal(41, statistics.Sum(s => s.ActivationsByType.GetValueOrDefault("echo")));
        Assert.Equal(90, statistics.SelectMany(s => s.Calls).Where(c => c.GrainType == "echo").Sum(c => c.Calls));
        var hottest = statistics.SelectMany(s => s.HottestGrains).MaxBy(g => g.Calls)!;
        Assert.Equal($"echo/{hot}", hottest.GrainId);
        Assert.Equal(50, hottest.Calls);
        Assert.NotEmpty(cluster.Silos[0].Silo.MembershipHistory);
    }
}
