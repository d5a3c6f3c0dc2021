using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Membership;

public sealed class ClusterRestartTests
{
    [Fact]
    public async Task Join_AfterEverySiloWasKilled_DeclaresStaleSilosDeadAndServesStoredState()
    {
        var options = ClusterFixture.NewOptions(2);
        await using var cluster = new TestCluster(options);
        await cluster.DeployAsync();
        var key = $"restart-{Guid.NewGuid():N}";
        Assert.Equal(1, await cluster.Client.GetGrain<IStoredCounterGrain>(key).Increment());
        var killed = cluster.Silos.ToList();
        foreach (var silo in killed)
        {
            cluster.KillSilo(silo);
            ActivationRegistry.SiloKilled(silo.Silo.Address);
        }

        // Nobody is left to vote; the new silo waits until the old rows are stale, then declares them dead itself.
        var replacement = await cluster.StartAdditionalSiloAsync();
        var table = await cluster.MembershipTable.ReadAllAsync();
        Assert.All(killed, k => Assert.Equal(SiloStatus.Dead, table.Find(k.Silo.Address)!.Status));
        Assert.Equal(SiloStatus.Active, table.Find(replacement.Silo.Address)!.Status);
        await cluster.Client.RefreshViewAsync();
        Assert.Equal(2, await cluster.Client.GetGrain<IStoredCounterGrain>(key).Increment());
    }
}
