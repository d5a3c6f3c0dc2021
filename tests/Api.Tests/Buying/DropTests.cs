using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;
using FleaMarket.Grains;

namespace FleaMarket.Api.Tests.Buying;

/// <summary>The flash sale: a thousand buyers at the opening minute, a hundred units, two API nodes, three silos.</summary>
public sealed class DropTests
{
    private const int Buyers = 1000;
    private const int Stock = 100;

    [Fact]
    public async Task Drop_ThousandBuyersHundredUnits_ExactlyHundredSoldAndEveryOrderListed()
    {
        await using var market = await FleaMarketCluster.StartAsync(silos: 3, apiNodes: 2);
        var drop = await PrepareAsync(market);
        var outcomes = await RunAsync(drop, killOwnerAfterFirstSales: null);

        Assert.Equal(Stock, outcomes.Orders.Count);
        Assert.Equal(Buyers - Stock, outcomes.Codes.Count(c => c == "sold-out"));
        Assert.Equal(Stock, outcomes.Orders.Values.Sum(o => o.GetProperty("quantity").GetInt32()));
        await AssertEveryOrderListedAsync(drop, outcomes);
    }

    [Fact]
    public async Task Drop_OwnerSiloKilledDuringBurst_NeverOversellsAndKeepsEveryAcknowledgedOrder()
    {
        await using var market = await FleaMarketCluster.StartAsync(silos: 3, apiNodes: 2);
        var drop = await PrepareAsync(market, spareApiSilos: true);
        var outcomes = await RunAsync(drop, killOwnerAfterFirstSales: 20);

        Assert.InRange(outcomes.Orders.Count, 1, Stock);
        Assert.Equal(outcomes.Orders.Count, outcomes.Orders.Values.Sum(o => o.GetProperty("quantity").GetInt32()));
        await AssertEveryOrderListedAsync(drop, outcomes);
        var listing = await (await drop.Seller.Http.GetAsync($"/api/listings/{drop.ListingId}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Stock - outcomes.Orders.Count, listing.GetProperty("remaining").GetInt32());
    }

    // spareApiSilos: place the listing on a silo no API node calls through, so killing it leaves every node up.
    private static async Task<Drop> PrepareAsync(FleaMarketCluster market, bool spareApiSilos = false)
    {
        var nodes = market.Nodes.Select(n => n.CreateClient()).ToArray();
        var seller = await Shopper.SignUpAsync(nodes[0]);
        var opensAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var created = await seller.CreateMarketAsync(opensAt);
        var marketId = created.GetProperty("marketId").GetString()!;
        var listingId = (await seller.AddListingAsync(marketId, quantity: Stock, maxPerBuyer: 1)).GetProperty("listingId").GetString()!;
        for (var attempt = 0; spareApiSilos && market.ApiSilos.Contains(OwnerOf(market, listingId)); attempt++)
        {
            Assert.True(attempt < 20, "Random placement kept putting the listing on an API node's silo.");
            listingId = (await seller.AddListingAsync(marketId, quantity: Stock, maxPerBuyer: 1)).GetProperty("listingId").GetString()!;
        }

        var buyers = new Shopper[Buyers];
        await Parallel.ForEachAsync(Enumerable.Range(0, Buyers), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => buyers[i] = await Shopper.SignUpAsync(nodes[i % nodes.Length]));
        while (DateTimeOffset.UtcNow < opensAt) await Task.Delay(20);
        return new Drop(market, seller, marketId, listingId, buyers);
    }

    private static async Task<Outcomes> RunAsync(Drop drop, int? killOwnerAfterFirstSales)
    {
        var orders = new ConcurrentDictionary<string, JsonElement>();
        var codes = new ConcurrentBag<string>();
        var killed = 0;
        await Task.WhenAll(drop.Buyers.Select(async buyer =>
        {
            var key = Guid.NewGuid().ToString("N");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var response = await buyer.PurchaseAsync(drop.ListingId, 1, key);
                Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable,
                    $"Unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    orders[buyer.UserId] = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (killOwnerAfterFirstSales is { } after && orders.Count >= after && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        var owner = OwnerOf(drop.Market, drop.ListingId);
                        await drop.Market.Cluster.KillSiloAsync(drop.Market.Cluster.GetSiloForAddress(owner)!);
                    }

                    return;
                }

                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    codes.Add((await Shopper.ProblemCodeAsync(response))!);
                    return;
                }

                // 503: the silo holding the listing went away mid-call; a real client retries with the same key.
                Assert.True(DateTime.UtcNow < deadline, "Purchases kept failing with 503 for a minute.");
            }
        }));
        return new Outcomes(orders, codes);
    }

    private static async Task AssertEveryOrderListedAsync(Drop drop, Outcomes outcomes)
    {
        var sellerOrders = await (await drop.Seller.SendAsync(HttpMethod.Get, $"/api/markets/{drop.MarketId}/orders")).Content.ReadFromJsonAsync<JsonElement>();
        var listed = sellerOrders.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()).ToHashSet();
        Assert.Equal(outcomes.Orders.Count, listed.Count);
        foreach (var order in outcomes.Orders.Values) Assert.Contains(order.GetProperty("orderId").GetString(), listed);

        foreach (var buyer in drop.Buyers.Where(b => outcomes.Orders.ContainsKey(b.UserId)).Take(50))
        {
            var mine = await (await buyer.SendAsync(HttpMethod.Get, "/api/me/orders")).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(outcomes.Orders[buyer.UserId].GetProperty("orderId").GetString(), Assert.Single(mine.EnumerateArray()).GetProperty("orderId").GetString());
        }
    }

    private static Orleans.Runtime.SiloAddress OwnerOf(FleaMarketCluster market, string listingId) =>
        market.SiloOf(market.Cluster.Client.GetGrain<IListingGrain>(listingId).GetGrainId())
        ?? throw new InvalidOperationException($"Listing {listingId} is not activated.");

    private sealed record Drop(FleaMarketCluster Market, Shopper Seller, string MarketId, string ListingId, Shopper[] Buyers);

    private sealed record Outcomes(ConcurrentDictionary<string, JsonElement> Orders, ConcurrentBag<string> Codes);
}
