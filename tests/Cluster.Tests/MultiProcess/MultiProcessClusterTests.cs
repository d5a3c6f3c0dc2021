using System.Net;
using System.Text.Json;
using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Runtime.Membership;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Issue 3, acceptance 3: two src/Silo processes and one src/Api process on Redis membership and PostgreSQL
/// storage form one cluster; after one silo process is killed with SIGKILL the cluster keeps serving and the
/// data written before is read back from PostgreSQL.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class MultiProcessClusterTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_OneSiloProcessKilled_KeepsServingWithDataFromPostgreSql()
    {
        var connectionString = await engines.Postgres.CreateDatabaseAsync("procs");
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, connectionString);
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
        await cluster.StartAsync();
        var silos = await cluster.ActiveSilosAsync();
        Assert.Equal(["silo-a", "silo-b"], silos.Select(s => s.SiloName).Order());

        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await SignUpAsync(api, $"seller-{run}");
        var markets = new List<string>();
        var listings = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var market = await api.SendAsync(HttpMethod.Post, "/api/markets",
                new { title = $"Market {i}", opensAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, HttpStatusCode.Created, seller.Token);
            Assert.Equal("open", market.GetProperty("status").GetString());
            markets.Add(market.GetProperty("marketId").GetString()!);
            var listing = await api.SendAsync(HttpMethod.Post, $"/api/markets/{markets[i]}/listings",
                new { title = $"Item {i}", priceCents = 1500, quantity = 100 }, HttpStatusCode.Created, seller.Token);
            listings.Add(listing.GetProperty("listingId").GetString()!);
        }

        // Twelve buyers, three purchases each spread over the listings: users, sessions, markets, listings and
        // orders end up as grains on both silos.
        var buyers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => SignUpAsync(api, $"buyer{i}-{run}")));
        var orders = new Dictionary<string, List<string>>();
        foreach (var (buyer, b) in buyers.Select((buyer, b) => (buyer, b)))
        {
            orders[buyer.Token] = [];
            for (var p = 0; p < 3; p++)
            {
                var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listings[(b + p) % listings.Count]}/purchases",
                    new { quantity = 2 }, HttpStatusCode.Created, buyer.Token, idempotencyKey: $"{buyer.UserId}-{p}");
                orders[buyer.Token].Add(order.GetProperty("orderId").GetString()!);
            }
        }

        var remainingBefore = await Task.WhenAll(listings.Select(async l =>
            (await api.SendAsync(HttpMethod.Get, $"/api/listings/{l}", null, HttpStatusCode.OK)).GetProperty("remaining").GetInt32()));
        Assert.Equal(4 * 100 - 12 * 3 * 2, remainingBefore.Sum());

        // Grains spread over both silos: each silo's own /metrics counts live activations of several grain types.
        foreach (var silo in cluster.Silos)
        {
            var activations = await cluster.ActivationsAsync(silo.Name);
            output.WriteLine($"{silo.Name}: {string.Join(", ", activations.Select(a => $"{a.Key}={a.Value}"))}");
            Assert.True(activations.Values.Sum() >= 5 && activations.Count(a => a.Value > 0) >= 2,
                $"{silo.Name} holds too few grains for a spread: {string.Join(", ", activations.Select(a => $"{a.Key}={a.Value}"))}");
        }

        var victim = cluster.Silos[0];
        var victimRow = silos.Single(s => s.SiloName == victim.Name);
        await cluster.KillAsync(victim);
        await cluster.WaitAsync(async () => (await cluster.MembershipTable.ReadAllAsync()).Find(victimRow.Silo)?.Status == SiloStatus.Dead,
            $"{victim.Name} is declared Dead in the table", s_settle);

        // Everything written before the kill is served again, whichever silo held it: sessions (nobody is logged
        // out), users, markets, listings with their stock and every acknowledged order.
        foreach (var buyer in buyers)
        {
            var me = await api.SendAsync(HttpMethod.Get, "/api/me", null, HttpStatusCode.OK, buyer.Token, retryFor: s_settle);
            Assert.Equal(buyer.UserId, me.GetProperty("userId").GetString());
            var mine = await api.SendAsync(HttpMethod.Get, "/api/me/orders", null, HttpStatusCode.OK, buyer.Token, retryFor: s_settle);
            Assert.Equal(orders[buyer.Token].Order(), mine.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()!).Order());
        }

        for (var i = 0; i < listings.Count; i++)
        {
            var listing = await api.SendAsync(HttpMethod.Get, $"/api/listings/{listings[i]}", null, HttpStatusCode.OK, retryFor: s_settle);
            Assert.Equal(remainingBefore[i], listing.GetProperty("remaining").GetInt32());
            var market = await api.SendAsync(HttpMethod.Get, $"/api/markets/{markets[i]}", null, HttpStatusCode.OK, retryFor: s_settle);
            Assert.Equal(listings[i], Assert.Single(market.GetProperty("listings").EnumerateArray()).GetProperty("listingId").GetString());
            var sold = await api.SendAsync(HttpMethod.Get, $"/api/markets/{markets[i]}/orders", null, HttpStatusCode.OK, seller.Token, retryFor: s_settle);
            Assert.Equal(9, sold.GetArrayLength());
        }

        // And the cluster keeps taking new work: a retried purchase replays its order, a new one sells.
        var replay = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listings[0]}/purchases",
            new { quantity = 2 }, HttpStatusCode.OK, buyers[0].Token, idempotencyKey: $"{buyers[0].UserId}-0", retryFor: s_settle);
        Assert.Equal(orders[buyers[0].Token][0], replay.GetProperty("orderId").GetString());
        await api.SendAsync(HttpMethod.Post, $"/api/listings/{listings[0]}/purchases",
            new { quantity = 1 }, HttpStatusCode.Created, buyers[0].Token, idempotencyKey: $"{buyers[0].UserId}-after-kill", retryFor: s_settle);
        await SignUpAsync(api, $"late-{run}", s_settle);
    }

    private static async Task<(string UserId, string Token)> SignUpAsync(ApiClient api, string username, TimeSpan? retryFor = null)
    {
        const string password = "correct-horse-battery";
        var user = await api.SendAsync(HttpMethod.Post, "/api/users", new { username, password, displayName = username }, HttpStatusCode.Created, retryFor: retryFor);
        var session = await api.SendAsync(HttpMethod.Post, "/api/sessions", new { username, password }, HttpStatusCode.Created, retryFor: retryFor);
        return (user.GetProperty("userId").GetString()!, session.GetProperty("token").GetString()!);
    }
}
