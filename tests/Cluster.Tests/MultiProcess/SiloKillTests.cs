using System.Diagnostics;
using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Two src/Silo processes and one src/Api process on Redis membership and PostgreSQL storage form one cluster.
/// One silo process is killed with SIGKILL: the table declares it Dead, the other serves everything written
/// before (read back from PostgreSQL) and takes new work. A third silo joins and the second original one is
/// killed too, so every grain written before the kills — wherever Orleans had placed it — has been lost with a
/// process and read back.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class SiloKillTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_SiloProcessesKilledOneAfterTheOther_ServeEverythingWrittenBeforeAndTakeNewWork()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("kill"));
        await cluster.RunShowingLogsOnFailureAsync(RunAsync, output);
    }

    private async Task RunAsync(ProcessCluster cluster)
    {
        var timeline = new Timeline(output);
        await cluster.StartAsync(silos: 2);
        var members = await cluster.Observer.MembersAsync();
        Assert.All(cluster.Silos, s => Assert.Equal(SiloStatus.Active, members[s.Name].Status));
        timeline.Mark("two silos and the API node are up");

        using var api = new ApiClient(cluster.ApiAddress);
        var world = await World.CreateAsync(api);
        timeline.Mark($"{world.Buyers.Count} buyers bought {world.Orders.Values.Sum(o => o.Count)} times from {world.Listings.Count} listings");

        foreach (var round in new[] { 1, 2 })
        {
            var victim = cluster.LiveSilos[0];
            var survivor = cluster.LiveSilos[1];
            var onVictim = await world.ListingOnAsync(api, cluster.Observer, victim.Name);
            timeline.Mark($"killing {victim.Name}, which holds " +
                $"{await CountOnAsync(cluster, victim.Name, "session", world.Buyers.Select(b => b.SessionKey))} buyer sessions, " +
                $"{await CountOnAsync(cluster, victim.Name, "account", world.Buyers.Select(b => b.UserId))} buyer accounts, " +
                $"{await CountOnAsync(cluster, victim.Name, "listing", world.Listings.Keys)} listings");

            var killedAt = Stopwatch.StartNew();
            await cluster.KillAsync(victim);

            // Meanwhile: the first purchase of an item that lived on the dead silo, retried as a client would.
            var dead = Task.Run(async () =>
            {
                await cluster.WaitAsync(async () => (await cluster.Observer.MembersAsync())[victim.Name].Status == SiloStatus.Dead,
                    $"{victim.Name} is declared Dead in the membership table", s_settle);
                return killedAt.Elapsed;
            });
            var counts = new RetryCounts();
            await world.BuyAsync(api, world.Buyers[round], onVictim, $"after-kill-{round}", counts);
            var firstPurchase = killedAt.Elapsed;
            var declaredDead = await dead;
            await cluster.WaitAsync(async () => (await ProcessCluster.SiloViewAsync(survivor)).GetValueOrDefault("dead") == round,
                $"{survivor.Name}'s /metrics counts {round} dead silos", s_settle);
            timeline.Mark($"kill -9 of {victim.Name} → first purchase of an item it held after {firstPurchase.TotalSeconds:F1} s " +
                $"({counts}); Dead in the table after {declaredDead.TotalSeconds:F1} s");

            await world.AssertServedAsync(api);
            await world.AssertTakesNewWorkAsync(api, $"round{round}");
            timeline.Mark("everything written before is served, new work is taken");

            if (round == 1)
            {
                await cluster.WaitUntilReadyAsync(cluster.StartSilo("silo-c"));
                timeline.Mark("silo-c joined");
            }
        }
    }

    private static async Task<int> CountOnAsync(ProcessCluster cluster, string silo, string grainType, IEnumerable<string> keys)
    {
        var count = 0;
        foreach (var key in keys)
        {
            if (await cluster.Observer.SiloOfAsync(grainType, key) == silo) count++;
        }

        return count;
    }

    /// <summary>What the test wrote through the API, and so expects to read back: users, sessions, markets, listings, orders.</summary>
    private sealed class World
    {
        private const int Stock = 100;

        private World(Shopper seller) => Seller = seller;

        public Shopper Seller { get; }

        public List<Shopper> Buyers { get; } = [];

        /// <summary>Listing id → its market id.</summary>
        public Dictionary<string, string> Listings { get; } = [];

        /// <summary>Acknowledged orders by buyer id.</summary>
        public Dictionary<string, List<Acknowledged>> Orders { get; } = [];

        public static async Task<World> CreateAsync(ApiClient api)
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var world = new World(await Shop.SignUpAsync(api, $"seller-{run}"));
            world.Buyers.AddRange(await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}"))));
            foreach (var buyer in world.Buyers) world.Orders[buyer.UserId] = [];
            for (var i = 0; i < 4; i++) await world.AddListingAsync(api);

            // Three purchases per buyer, spread over the listings.
            var listings = world.Listings.Keys.ToList();
            for (var p = 0; p < 3; p++)
            {
                await Task.WhenAll(world.Buyers.Select((buyer, b) => world.BuyAsync(api, buyer, listings[(b + p) % listings.Count], $"before-{p}", new RetryCounts())));
            }

            return world;
        }

        /// <summary>A listing held by <paramref name="silo"/>; listings are placed at random, so adding a few finds one.</summary>
        public async Task<string> ListingOnAsync(ApiClient api, ClusterObserver observer, string silo)
        {
            foreach (var listing in Listings.Keys)
            {
                if (await observer.SiloOfAsync("listing", listing) == silo) return listing;
            }

            while (true)
            {
                Assert.True(Listings.Count < 40, $"{Listings.Count} listings, none placed on {silo}");
                var listing = await AddListingAsync(api);
                await api.SendAsync(HttpMethod.Get, $"/api/listings/{listing}", null, HttpStatusCode.OK);
                if (await observer.SiloOfAsync("listing", listing) == silo) return listing;
            }
        }

        public async Task BuyAsync(ApiClient api, Shopper buyer, string listing, string key, RetryCounts counts)
        {
            var order = await Shop.BuyUntilAnsweredAsync(api, buyer, listing, 1, key, TimeSpan.FromSeconds(10), DateTime.UtcNow + s_settle, counts);
            Assert.NotNull(order);
            lock (Orders) Orders[buyer.UserId].Add(order);
        }

        /// <summary>Sessions (nobody is logged out), users, markets, listings with their stock, every acknowledged order for buyer and seller.</summary>
        public async Task AssertServedAsync(ApiClient api)
        {
            foreach (var buyer in Buyers)
            {
                var me = await api.SendAsync(HttpMethod.Get, "/api/me", null, HttpStatusCode.OK, buyer.Token, retryFor: s_settle);
                Assert.Equal(buyer.UserId, me.GetProperty("userId").GetString());
                Assert.Equal(Orders[buyer.UserId].Select(o => o.OrderId).Order(), (await Shop.MyOrderIdsAsync(api, buyer, s_settle)).Order());
            }

            var all = Orders.Values.SelectMany(o => o).ToList();
            foreach (var (listing, market) in Listings)
            {
                var sold = all.Where(o => o.ListingId == listing).ToList();
                Assert.Equal(Stock - sold.Sum(o => o.Quantity), await Shop.RemainingAsync(api, listing, s_settle));
                var details = await api.SendAsync(HttpMethod.Get, $"/api/markets/{market}", null, HttpStatusCode.OK, retryFor: s_settle);
                Assert.Equal(listing, Assert.Single(details.GetProperty("listings").EnumerateArray()).GetProperty("listingId").GetString());
                Assert.Equal(sold.Select(o => o.OrderId).Order(), Shop.OrderIds(await Shop.MarketOrdersAsync(api, Seller, market, s_settle)).Order());
            }
        }

        /// <summary>A retried purchase replays its order; a new user signs up, logs in and buys; a new listing sells.</summary>
        public async Task AssertTakesNewWorkAsync(ApiClient api, string tag)
        {
            var earlier = Orders[Buyers[0].UserId][0];
            var replay = await api.SendAsync(HttpMethod.Post, $"/api/listings/{earlier.ListingId}/purchases", new { quantity = 1 }, HttpStatusCode.OK,
                Buyers[0].Token, earlier.Key, s_settle);
            Assert.Equal(earlier.OrderId, replay.GetProperty("orderId").GetString());

            var buyer = await Shop.SignUpAsync(api, $"{tag}-{Guid.NewGuid():N}"[..24], s_settle);
            Buyers.Add(buyer);
            Orders[buyer.UserId] = [];
            var listing = await AddListingAsync(api);
            await BuyAsync(api, buyer, listing, tag, new RetryCounts());
        }

        private async Task<string> AddListingAsync(ApiClient api)
        {
            var market = await Shop.OpenMarketAsync(api, Seller, $"Market {Listings.Count}", retryFor: s_settle);
            var listing = await Shop.AddListingAsync(api, Seller, market, $"Item {Listings.Count}", Stock, s_settle);
            Listings[listing] = market;
            return listing;
        }
    }
}
