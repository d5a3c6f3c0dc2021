using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.TestKit;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Two src/Silo processes that serve the HTTP API themselves (no separate API tier: <c>cluster.sh up --apis 0</c>,
/// the shape the drop benchmark measures) on Redis membership and PostgreSQL storage. A buyer's requests land on
/// either silo: one session works on both, a logout on one is refused on the other at once, a drop bought through
/// both sells exactly the stock, and a feed reader on one silo sees the purchases made through the other.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class CohostedSilosTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SilosServingTheApi_RequestsOnEitherSilo_OneSessionNoOversellFeedAndLogoutEverywhere()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("cohosted"));
        await cluster.RunShowingLogsOnFailureAsync(RunAsync, output);
    }

    private async Task RunAsync(ProcessCluster cluster)
    {
        await cluster.StartCohostedAsync(silos: 2);
        var members = await cluster.Observer.MembersAsync();
        Assert.All(cluster.Silos, s => Assert.Equal(SiloStatus.Active, members[s.Name].Status));
        using var first = new ApiClient(ProcessCluster.AdminAddress(cluster.Silos[0]));
        using var second = new ApiClient(ProcessCluster.AdminAddress(cluster.Silos[1]));
        ApiClient[] nodes = [first, second];

        // Signed up and logged in through the first silo, selling and buying through the second: one session.
        var seller = await Shop.SignUpAsync(first, "cohost-seller", s_settle);
        var marketId = await Shop.OpenMarketAsync(second, seller, "Two silos, one counter", retryFor: s_settle);
        const int stock = 40;
        var listingId = await Shop.AddListingAsync(second, seller, marketId, "Poster", stock, s_settle);

        // A reader of the second silo's feed, open before the drop.
        using var feedHttp = new HttpClient { BaseAddress = ProcessCluster.AdminAddress(cluster.Silos[1]), Timeout = Timeout.InfiniteTimeSpan };
        await using var feed = await EventStream.OpenAsync(feedHttp, marketId);
        await feed.WaitForRemainingAsync(listingId, stock, s_settle);

        // Twenty buyers, two units each and one more: each buyer's purchases alternate between the silos.
        var buyers = new List<Shopper>();
        for (var i = 0; i < 20; i++) buyers.Add(await Shop.SignUpAsync(nodes[i % 2], $"cohost-buyer-{i}", s_settle));
        var counts = new RetryCounts();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var purchases = buyers.SelectMany((buyer, b) => Enumerable.Range(0, 3).Select(n =>
            Shop.BuyUntilAnsweredAsync(nodes[(b + n) % 2], buyer, listingId, 1, $"{buyer.Username}-{n}", TimeSpan.FromSeconds(30), deadline, counts)));
        var acknowledged = (await Task.WhenAll(purchases)).OfType<Acknowledged>().ToList();

        Assert.Equal(stock, acknowledged.Sum(a => a.Quantity));
        Assert.Equal(0, await Shop.RemainingAsync(first, listingId, s_settle));
        Assert.Equal(0, await Shop.RemainingAsync(second, listingId, s_settle));
        var orders = Shop.OrderIds(await Shop.MarketOrdersAsync(first, seller, marketId, s_settle));
        Assert.Equal(acknowledged.Select(a => a.OrderId).Order(), orders.Order());
        await feed.WaitForRemainingAsync(listingId, 0, s_settle);
        output.WriteLine($"{acknowledged.Count} orders through both silos ({counts}); the second silo's feed reached 0");

        // A buyer seen on the second silo just now (its session cache holds the session), logged out on the first:
        // the second refuses the token at once, not when its cache entry would have expired.
        var buyer = buyers[0];
        Assert.Equal(buyer.UserId, (await second.SendAsync(HttpMethod.Get, "/api/sessions/current", null, HttpStatusCode.OK, buyer.Token))
            .GetProperty("userId").GetString());
        await first.SendAsync(HttpMethod.Delete, "/api/sessions/current", null, HttpStatusCode.NoContent, buyer.Token);
        var after = await second.TrySendAsync(HttpMethod.Get, "/api/me/orders", null, buyer.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
    }
}
