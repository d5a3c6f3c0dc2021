using System.Diagnostics;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Membership;

public sealed class SiloDeathTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Kill_Silo_DeclaredDeadWithinProbeBudgetAndGrainsReactivateElsewhere(int silos)
    {
        var options = ClusterFixture.NewOptions(silos);
        await using var cluster = new TestCluster(options);
        await cluster.DeployAsync();
        var keys = Enumerable.Range(0, 200).Select(i => $"victim-{Guid.NewGuid():N}-{i}").ToArray();
        foreach (var key in keys) await cluster.Client.GetGrain<IStoredCounterGrain>(key).Increment();
        var victim = cluster.Silos[^1];
        var victimGrains = victim.ActivationIds.Where(id => id.Type == "storedcounter").Select(id => id.Key).ToList();
        Assert.NotEmpty(victimGrains);

        var budget = options.Membership.ProbeTimeout * options.Membership.NumMissedProbesLimit;
        var margin = TimeSpan.FromSeconds(1.5);
        var clock = Stopwatch.StartNew();
        cluster.KillSilo(victim);
        ActivationRegistry.SiloKilled(victim.Silo.Address);
        while (await StatusAsync(cluster, victim.Silo.Address) != SiloStatus.Dead)
        {
            Assert.True(clock.Elapsed < budget + margin + TimeSpan.FromSeconds(10), "The killed silo was never declared dead.");
            await Task.Delay(10);
        }

        Assert.True(clock.Elapsed <= budget + margin, $"Declared dead after {clock.Elapsed}, budget {budget} + {margin}.");
        await cluster.WaitForLivenessToStabilizeAsync();
        foreach (var key in victimGrains)
        {
            Assert.Equal(2, await cluster.Client.GetGrain<IStoredCounterGrain>(key).Increment());
        }

        var reactivated = cluster.Silos.SelectMany(s => s.ActivationIds).Where(id => id.Type == "storedcounter").Select(id => id.Key).ToHashSet();
        Assert.DoesNotContain(victim, cluster.Silos);
        Assert.All(victimGrains, key => Assert.Contains(key, reactivated));
    }

    private static async Task<SiloStatus> StatusAsync(TestCluster cluster, SiloAddress silo) =>
        (await cluster.MembershipTable.ReadAllAsync()).Find(silo)?.Status ?? SiloStatus.None;
}
