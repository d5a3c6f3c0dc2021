using System.Net;
using FleaMarket.TestKit.Engines;
using FleaMarket.Cluster.Tests.MultiProcess;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>
/// redis-server (the membership table) stops under a running multi-process cluster: the silos and the API node keep
/// serving on their last view of the cluster, old grains and new ones; once Redis is back a new silo joins.
/// </summary>
[Collection(EngineOutageCollection.Name)]
public sealed class RedisOutageTests(OutageClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_RedisStoppedThenStarted_ServesOnLastViewThenANewSiloJoins()
    {
        try
        {
            await RunAsync(fixture.Cluster, fixture.Engines.Redis);
        }
        catch
        {
            output.WriteLine(fixture.Cluster.Logs());
            throw;
        }
    }

    private async Task RunAsync(ProcessCluster cluster, RedisServer redis)
    {
        var timeline = new Timeline(output);
        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await Shop.SignUpAsync(api, $"seller-{run}", s_settle);
        var market = await Shop.OpenMarketAsync(api, seller, "Outage", retryFor: s_settle);

        // Listings on both silos (they are placed at random).
        var listings = new List<string>();
        var holders = new HashSet<string?>();
        while (holders.Count < 2 || listings.Count < 4)
        {
            Assert.True(listings.Count < 30, "30 listings, all placed on one silo");
            listings.Add(await Shop.AddListingAsync(api, seller, market, $"Item {listings.Count}", 50, s_settle));
            holders.Add(await cluster.Observer.SiloOfAsync("listing", listings[^1]));
        }

        var buyers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}", s_settle)));
        var acknowledged = new List<string>();
        await BuyFromEveryListingAsync("before", s_settle);

        // The membership table must survive a Redis restart (production runs Redis with appendonly yes); this
        // throwaway server keeps no data of its own, so save it to disk for the restart to load.
        var silos = cluster.LiveSilos;
        const string iAmAliveFailed = "Failed to update table entry for this silo";
        var failuresBefore = silos.ToDictionary(s => s, s => s.LogCount(iAmAliveFailed));
        Assert.Equal("+OK", await RedisCli.SendAsync(redis.Port, "SAVE"));
        await redis.StopAsync();
        timeline.Mark($"Redis stopped; {listings.Count} listings on {string.Join(" and ", holders)}");
        try
        {
            // Every silo notices: writing its I-am-alive row fails (Orleans' MembershipUpdateIAmAliveFailure).
            foreach (var silo in silos)
            {
                await cluster.WaitAsync(() => Task.FromResult(silo.LogCount(iAmAliveFailed) > failuresBefore[silo]),
                    $"{silo.Name} fails to write its I-am-alive row", s_settle);
            }

            timeline.Mark("every silo failed to write its I-am-alive row");

            // Old grains on both silos and new ones are served at once, no retry: purchases, a new user, a new listing.
            await BuyFromEveryListingAsync("during");
            var late = await Shop.SignUpAsync(api, $"late-{run}");
            var newListing = await Shop.AddListingAsync(api, seller, market, "Added during the outage", 50);
            var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{newListing}/purchases", new { quantity = 1 }, HttpStatusCode.Created, late.Token, "during");
            acknowledged.Add(order.GetProperty("orderId").GetString()!);
            listings.Add(newListing);
            Assert.All(silos, s => Assert.False(s.HasExited, $"{s.Name} exited during the Redis outage"));
            timeline.Mark($"{buyers.Length * (listings.Count - 1) + 1} purchases, a sign-up and a new listing served during the outage");
        }
        finally
        {
            await redis.StartAsync();
        }

        // Back: a new silo joins, and every view counts it Active.
        var joiner = cluster.StartSilo($"silo-joined-{run}");
        await cluster.WaitUntilReadyAsync(joiner);
        var expected = silos.Count + 1;
        await cluster.WaitAsync(async () => (await cluster.Observer.MembersAsync()).Values.Count(m => m.Status == SiloStatus.Active) == expected,
            $"{expected} silos are Active in the membership table", s_settle);
        foreach (var silo in cluster.LiveSilos)
        {
            await cluster.WaitAsync(async () => (await ProcessCluster.SiloViewAsync(silo)).GetValueOrDefault("active") == expected,
                $"{silo.Name} counts {expected} active silos", s_settle);
        }

        timeline.Mark($"Redis started again; {joiner.Name} joined, {expected} silos Active in every view");

        // And everything still sells, nothing acknowledged is missing.
        await BuyFromEveryListingAsync("after", s_settle);
        var sold = Shop.OrderIds(await Shop.MarketOrdersAsync(api, seller, market, s_settle));
        Assert.Equal(acknowledged.Order(), sold.Order());

        async Task BuyFromEveryListingAsync(string phase, TimeSpan? retryFor = null)
        {
            foreach (var buyer in buyers)
            {
                foreach (var listing in listings)
                {
                    var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 },
                        HttpStatusCode.Created, buyer.Token, $"{phase}-{listing}", retryFor);
                    acknowledged.Add(order.GetProperty("orderId").GetString()!);
                }
            }
        }
    }
}
