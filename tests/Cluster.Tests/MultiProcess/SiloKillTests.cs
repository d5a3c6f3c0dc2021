using System.Diagnostics;
using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Two src/Silo processes and one src/Api process on Redis membership and PostgreSQL storage form one cluster;
/// after one silo process is killed with SIGKILL the other serves everything written before (read back from
/// PostgreSQL), takes new work, and the table declares the dead silo Dead.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class SiloKillTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_OneSiloProcessKilled_ServesEverythingWrittenBeforeAndTakesNewWork()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("kill"));
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
        var members = await cluster.Observer.MembersAsync();
        Assert.All(cluster.Silos, s => Assert.Equal(SiloStatus.Active, members[s.Name].Status));

        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await Shop.SignUpAsync(api, $"seller-{run}");
        var buyers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}")));
        var markets = new List<string>();
        var listings = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            markets.Add(await Shop.OpenMarketAsync(api, seller, $"Market {i}"));
            listings.Add(await Shop.AddListingAsync(api, seller, markets[i], $"Item {i}", quantity: 100));
        }

        // Twelve buyers, three purchases each spread over the listings.
        var orders = buyers.ToDictionary(b => b.UserId, _ => new List<string>());
        for (var p = 0; p < 3; p++)
        {
            await Task.WhenAll(buyers.Select(async (buyer, b) =>
            {
                var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listings[(b + p) % listings.Count]}/purchases",
                    new { quantity = 2 }, HttpStatusCode.Created, buyer.Token, idempotencyKey: $"{buyer.UserId}-{p}");
                lock (orders) orders[buyer.UserId].Add(order.GetProperty("orderId").GetString()!);
            }));
        }

        var remainingBefore = await Task.WhenAll(listings.Select(l => Shop.RemainingAsync(api, l)));
        Assert.Equal(4 * 100 - 12 * 3 * 2, remainingBefore.Sum());

        // The victim is the silo holding the first listing; it must also hold sessions and accounts, or the test
        // would prove nothing about them.
        var victimName = await cluster.Observer.SiloOfAsync("listing", listings[0]);
        Assert.NotNull(victimName);
        var victim = cluster.Silos.Single(s => s.Name == victimName);
        var survivor = cluster.Silos.Single(s => s != victim);
        var sessionsOnVictim = await CountOnAsync(cluster, victimName, "session", buyers.Select(b => b.SessionKey));
        var accountsOnVictim = await CountOnAsync(cluster, victimName, "account", buyers.Select(b => b.UserId));
        var listingsOnVictim = await CountOnAsync(cluster, victimName, "listing", listings);
        output.WriteLine($"{victimName} holds {listingsOnVictim}/4 listings, {sessionsOnVictim}/12 buyer sessions, {accountsOnVictim}/12 buyer accounts");
        Assert.True(sessionsOnVictim > 0, $"no buyer session lives on {victimName}");
        Assert.True(accountsOnVictim > 0, $"no buyer account lives on {victimName}");

        var killedAt = Stopwatch.StartNew();
        await cluster.KillAsync(victim);

        // The first purchase of an item that lived on the dead silo, retried as a client would.
        var counts = new RetryCounts();
        var first = await Shop.BuyUntilAnsweredAsync(api, buyers[0], listings[0], 1, $"{buyers[0].UserId}-after-kill",
            TimeSpan.FromSeconds(10), DateTime.UtcNow + s_settle, counts);
        Assert.NotNull(first);
        orders[buyers[0].UserId].Add(first.OrderId);
        var firstPurchase = killedAt.Elapsed;

        await cluster.WaitAsync(async () => (await cluster.Observer.MembersAsync())[victim.Name].Status == SiloStatus.Dead,
            $"{victim.Name} is declared Dead in the membership table", s_settle);
        var declaredDead = killedAt.Elapsed;
        await cluster.WaitAsync(async () => await ProcessCluster.SiloViewAsync(survivor) is var view
            && view.GetValueOrDefault("dead") == 1 && view.GetValueOrDefault("active") == 1, $"{survivor.Name}'s /metrics counts one dead and one active silo", s_settle);
        output.WriteLine($"kill -9 → first purchase of an item on the dead silo: {firstPurchase.TotalSeconds:F1} s ({counts}); → Dead in the table: {declaredDead.TotalSeconds:F1} s");

        // Everything written before the kill is served, whichever silo held it: sessions (nobody is logged out),
        // users, markets, listings with their stock and every acknowledged order.
        foreach (var buyer in buyers)
        {
            var me = await api.SendAsync(HttpMethod.Get, "/api/me", null, HttpStatusCode.OK, buyer.Token, retryFor: s_settle);
            Assert.Equal(buyer.UserId, me.GetProperty("userId").GetString());
            Assert.Equal(orders[buyer.UserId].Order(), (await Shop.MyOrderIdsAsync(api, buyer, s_settle)).Order());
        }

        for (var i = 0; i < listings.Count; i++)
        {
            Assert.Equal(remainingBefore[i] - (i == 0 ? 1 : 0), await Shop.RemainingAsync(api, listings[i], s_settle));
            var market = await api.SendAsync(HttpMethod.Get, $"/api/markets/{markets[i]}", null, HttpStatusCode.OK, retryFor: s_settle);
            Assert.Equal(listings[i], Assert.Single(market.GetProperty("listings").EnumerateArray()).GetProperty("listingId").GetString());
            var sold = Shop.OrderIds(await Shop.MarketOrdersAsync(api, seller, markets[i], s_settle));
            Assert.Equal(i == 0 ? 10 : 9, sold.Count);
            Assert.All(sold, id => Assert.Contains(orders.Values, mine => mine.Contains(id)));
        }

        // And it keeps taking new work: a retried purchase replays its order, new users sign up and buy.
        var replay = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listings[0]}/purchases",
            new { quantity = 2 }, HttpStatusCode.OK, buyers[0].Token, idempotencyKey: $"{buyers[0].UserId}-0", retryFor: s_settle);
        Assert.Equal(orders[buyers[0].UserId][0], replay.GetProperty("orderId").GetString());
        var late = await Shop.SignUpAsync(api, $"late-{run}", s_settle);
        foreach (var listing in listings)
        {
            await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 }, HttpStatusCode.Created,
                late.Token, idempotencyKey: $"late-{listing}", retryFor: s_settle);
        }

        Assert.Equal(4, (await Shop.MyOrderIdsAsync(api, late)).Count);
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
}
