using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Cluster.Tests.MultiProcess;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>
/// redis-server (the membership table) stops under a running multi-process cluster: the silos and the API node keep
/// serving on their last view of the cluster, old grains and new ones; once Redis is back a new silo joins.
/// </summary>
[Collection(EngineOutageCollection.Name)]
public sealed class RedisOutageTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_RedisStoppedThenStarted_ServesOnLastViewThenANewSiloJoins()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("redisdown"));
        try
        {
            await RunAsync(cluster);
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private async Task RunAsync(ProcessCluster cluster)
    {
        await cluster.StartAsync(silos: 2);
        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await Shop.SignUpAsync(api, $"seller-{run}");
        var market = await Shop.OpenMarketAsync(api, seller, "Outage");

        // Listings on both silos (they are placed at random).
        var listings = new List<string>();
        var holders = new HashSet<string?>();
        while (holders.Count < 2 || listings.Count < 4)
        {
            Assert.True(listings.Count < 30, "30 listings, all placed on one silo");
            listings.Add(await Shop.AddListingAsync(api, seller, market, $"Item {listings.Count}", 50));
            holders.Add(await cluster.Observer.SiloOfAsync("listing", listings[^1]));
        }

        var buyers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}")));
        var acknowledged = new List<string>();
        await BuyFromEveryListingAsync("before");

        // The membership table must survive a Redis restart (production runs Redis with appendonly yes); this
        // throwaway server keeps no data of its own, so save it to disk for the restart to load.
        Assert.Equal("+OK", await RedisCli.SendAsync(engines.Redis.Port, "SAVE"));
        await engines.Redis.StopAsync();
        try
        {
            // Both silos notice: writing their I-am-alive row fails (Orleans' MembershipUpdateIAmAliveFailure).
            foreach (var silo in cluster.Silos)
            {
                await cluster.WaitAsync(() => Task.FromResult(silo.LogContains("Failed to update table entry for this silo")),
                    $"{silo.Name} fails to write its I-am-alive row", s_settle);
            }

            // Old grains on both silos and new ones are served: purchases, a new user, a new listing.
            await BuyFromEveryListingAsync("during");
            var late = await Shop.SignUpAsync(api, $"late-{run}");
            var newListing = await Shop.AddListingAsync(api, seller, market, "Added during the outage", 50);
            var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{newListing}/purchases", new { quantity = 1 }, HttpStatusCode.Created, late.Token, "during");
            acknowledged.Add(order.GetProperty("orderId").GetString()!);
            listings.Add(newListing);
            Assert.All(cluster.Silos, s => Assert.False(s.HasExited, $"{s.Name} exited during the Redis outage"));
        }
        finally
        {
            await engines.Redis.StartAsync();
        }

        // Back: a third silo joins, and all three are Active in every view.
        var joiner = cluster.StartSilo("silo-c");
        await cluster.WaitUntilReadyAsync(joiner);
        await cluster.WaitAsync(async () => (await cluster.Observer.MembersAsync()).Values.Count(m => m.Status == SiloStatus.Active) == 3,
            "three silos are Active in the membership table", s_settle);
        foreach (var silo in cluster.Silos)
        {
            await cluster.WaitAsync(async () => (await ProcessCluster.SiloViewAsync(silo)).GetValueOrDefault("active") == 3,
                $"{silo.Name} counts three active silos", s_settle);
        }

        // And everything still sells, nothing acknowledged is missing.
        await BuyFromEveryListingAsync("after");
        var sold = Shop.OrderIds(await Shop.MarketOrdersAsync(api, seller, market, s_settle));
        Assert.Equal(acknowledged.Order(), sold.Order());

        async Task BuyFromEveryListingAsync(string phase)
        {
            foreach (var buyer in buyers)
            {
                foreach (var listing in listings)
                {
                    var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 },
                        HttpStatusCode.Created, buyer.Token, $"{phase}-{listing}");
                    acknowledged.Add(order.GetProperty("orderId").GetString()!);
                }
            }
        }
    }
}
