using System.Collections.Immutable;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Placement;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Placement;

public sealed class OwnershipDistributionTests
{
    private const int GrainCount = 10_000;

    [Fact]
    public void OwnerOf_SameViewInAnyOrder_SameOwner()
    {
        var silos = Enumerable.Range(0, 5).Select(i => new SiloAddress("127.0.0.1", 20000 + i, 1)).ToImmutableArray();
        var shuffled = silos.Reverse().ToImmutableArray();
        for (var i = 0; i < 1000; i++)
        {
            var grain = GrainId.FromString("listing", $"l-{i}");
            Assert.Equal(GrainOwnership.OwnerOf(grain, silos), GrainOwnership.OwnerOf(grain, [.. shuffled.Order()]));
        }
    }

    [Fact]
    public async Task Join_FourthSiloToThree_MovesAQuarterAndBalances()
    {
        await using var cluster = new TestCluster(ClusterFixture.NewOptions(3));
        await cluster.DeployAsync();
        var keys = Enumerable.Range(0, GrainCount).Select(i => $"spread-{Guid.NewGuid():N}-{i}").ToArray();
        await CallAllAsync(cluster, keys);
        var before = WhereIs(cluster);

        var joined = await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        await CallAllAsync(cluster, keys);
        var after = WhereIs(cluster);

        var ids = keys.Select(k => GrainId.FromString("echo", k)).ToList();
        var moved = ids.Count(id => before[id] != after[id]);
        Assert.InRange(moved / (double)GrainCount, 0.15, 0.35);
        Assert.All(ids.Where(id => before[id] != after[id]), id => Assert.Equal(joined.Name, after[id]));
        foreach (var silo in cluster.Silos)
        {
            var share = ids.Count(id => after[id] == silo.Name) / (double)GrainCount;
            Assert.InRange(share, 0.25 - 0.07, 0.25 + 0.07);
        }
    }

    private static async Task CallAllAsync(TestCluster cluster, string[] keys)
    {
        foreach (var batch in keys.Chunk(500))
        {
            await Task.WhenAll(batch.Select(k => cluster.Client.GetGrain<IEchoGrain>(k).Echo("x")));
        }
    }

    /// <summary>Which silo holds each live activation; every grain must be on exactly one.</summary>
    private static Dictionary<GrainId, string> WhereIs(TestCluster cluster)
    {
        var holders = new Dictionary<GrainId, string>();
        foreach (var silo in cluster.Silos)
        {
            foreach (var id in silo.ActivationIds) holders.Add(id, silo.Name);
        }

        return holders;
    }
}
