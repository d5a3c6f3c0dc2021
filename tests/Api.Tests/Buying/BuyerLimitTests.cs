using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Buying;

public sealed class BuyerLimitTests : IAsyncLifetime
{
    private FleaMarketCluster _market = null!;

    public async Task InitializeAsync() => _market = await FleaMarketCluster.StartAsync(silos: 2, apiNodes: 2);

    public async Task DisposeAsync() => await _market.DisposeAsync();

    [Fact]
    public async Task Purchase_FiftyConcurrentByOneBuyer_PerBuyerLimitHolds()
    {
        var (seller, listingId) = await ListingAsync(quantity: 100, maxPerBuyer: 3);
        var buyer = await Shopper.SignUpAsync(seller.Http);
        var nodes = _market.Nodes.Select(n => n.CreateClient()).ToArray();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => buyer.Via(nodes[i % 2]).PurchaseAsync(listingId, 1)));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("limit-exceeded", await Shopper.ProblemCodeAsync(refused));
        }

        var mine = await (await buyer.SendAsync(HttpMethod.Get, "/api/me/orders")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, mine.GetArrayLength());
    }

    [Fact]
    public async Task Purchase_FiftyConcurrentWithOneIdempotencyKey_YieldsOneOrder()
    {
        var (seller, listingId) = await ListingAsync(quantity: 100, maxPerBuyer: null);
        var buyer = await Shopper.SignUpAsync(seller.Http);
        var nodes = _market.Nodes.Select(n => n.CreateClient()).ToArray();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => buyer.Via(nodes[i % 2]).PurchaseAsync(listingId, 2, "same-key")));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var orderIds = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString()));
        Assert.Single(orderIds.Distinct());
        var listing = await (await seller.Http.GetAsync($"/api/listings/{listingId}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(98, listing.GetProperty("remaining").GetInt32());
    }

    private async Task<(Shopper Seller, string ListingId)> ListingAsync(int quantity, int? maxPerBuyer)
    {
        var seller = await Shopper.SignUpAsync(_market.Nodes[0].CreateClient());
        var market = await seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddMinutes(-1));
        var listing = await seller.AddListingAsync(market.GetProperty("marketId").GetString()!, quantity, maxPerBuyer);
        return (seller, listing.GetProperty("listingId").GetString()!);
    }
}
