using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Cluster.Tests.Grains;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>
/// Issue 3, acceptance 4 (Redis): while redis-server is down the silos keep serving on their last view; once it
/// is back they write I-am-alive again and a new silo can join.
/// </summary>
[Collection(EngineOutageCollection.Name)]
public sealed class RedisOutageTests(EngineServersFixture engines)
{
    // Redis must keep the membership table across a restart (docs/operations.md: appendonly yes); a table that
    // comes back empty is not rebuilt by the running silos.
    [Fact]
    public Task GrainCalls_RedisDownThenBackWithItsData_ServeOnLastViewAndRejoin() => RedisOutageAsync(keepData: true);

    private async Task RedisOutageAsync(bool keepData)
    {
        var redis = engines.Redis;
        await using var membership = EngineServices.Redis(redis.Endpoint, $"outage-{Guid.NewGuid():N}");
        var logs = new LogCapture();
        await using var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = 2,
            MembershipTable = membership.MembershipTable,
            ConfigureSilo = services =>
            {
                services.AddGrainsFrom(typeof(StoredValueGrain).Assembly);
                services.AddLogging(l => l.AddProvider(logs));
            },
        });
        await cluster.DeployAsync();
        var keys = Enumerable.Range(0, 30).Select(i => $"v-{i}-{Guid.NewGuid():N}").ToList();
        var homes = await Task.WhenAll(keys.Select(async k =>
        {
            await cluster.Client.GetGrain<IStoredValueGrain>(k).Increment();
            return await cluster.Client.GetGrain<IStoredValueGrain>(k).WhereAmI();
        }));
        Assert.Equal(2, homes.Distinct().Count());
        var viewBefore = cluster.Silos.Select(s => s.Silo.View.Version).Max();

        if (keepData) Assert.Equal("+OK", await RedisCli.SendAsync(redis.Port, "SAVE"));
        await redis.StopAsync();

        // Both silos have noticed: their I-am-alive writes fail.
        foreach (var silo in cluster.Silos)
        {
            await Eventually.WaitUntilAsync(
                () => logs.Count("I-am-alive failed", silo.Silo.Address.ToString()) >= 2, $"{silo.Name} failed two I-am-alive writes", Eventually.ClusterDeadline);
        }

        // Existing grains and new ones are served, on the last view, by both silos.
        var newKeys = Enumerable.Range(0, 10).Select(i => $"new-{i}-{Guid.NewGuid():N}").ToList();
        var values = await Task.WhenAll(keys.Concat(newKeys).Select(k => cluster.Client.GetGrain<IStoredValueGrain>(k).Increment()));
        Assert.Equal([.. Enumerable.Repeat(2, keys.Count), .. Enumerable.Repeat(1, newKeys.Count)], values);
        Assert.All(cluster.Silos, s => Assert.False(s.Silo.Stopped.IsCompleted));
        Assert.Equal(2, cluster.Silos.Count);
        Assert.All(cluster.Silos, s => Assert.Equal(viewBefore, s.Silo.View.Version));

        var backAt = DateTimeOffset.UtcNow;
        await redis.StartAsync();

        // Both silos are in the table again, Active, with I-am-alive written after the server came back.
        var running = cluster.Silos.Select(s => s.Silo.Address).ToHashSet();
        await Eventually.WaitUntilAsync(async () =>
        {
            var table = await membership.MembershipTable.ReadAllAsync();
            return running.All(s => table.Find(s) is { Status: SiloStatus.Active } row && row.IAmAliveTime > backAt);
        }, "both silos are Active in the table with a fresh I-am-alive", Eventually.ClusterDeadline);

        // A new silo can join, and every grain keeps its value across the hand-off to it.
        await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        var after = await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IStoredValueGrain>(k).Get()));
        Assert.All(after, v => Assert.Equal(2, v));
    }
}
