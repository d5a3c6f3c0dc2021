using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Buying;

public sealed class PurchaseFlowTests : IAsyncLifetime
{
    private FleaMarketCluster _market = null!;

    public async Task InitializeAsync() => _market = await FleaMarketCluster.StartAsync(silos: 2, apiNodes: 2);

    public async Task DisposeAsync() => await _market.DisposeAsync();

    [Fact]
    public async Task Purchase_OpenListing_CreatesDurableOrderListedForBuyerAndSeller()
    {
        var http = _market.Nodes[0].CreateClient();
        var seller = await Shopper.SignUpAsync(http);
        var market = await seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddMinutes(-1));
        var marketId = market.GetProperty("marketId").GetString()!;
        var listing = await seller.AddListingAsync(marketId, quantity: 5, maxPerBuyer: 2);
        var listingId = listing.GetProperty("listingId").GetString()!;

        var buyer = await Shopper.SignUpAsync(http);
        var response = await buyer.PurchaseAsync(listingId, 2, "key-1");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, order.GetProperty("quantity").GetInt32());
        Assert.Equal(3000, order.GetProperty("totalCents").GetInt64());

        var replay = await buyer.PurchaseAsync(listingId, 2, "key-1");
        Assert.True(replay.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created);
        Assert.Equal(order.GetProperty("orderId").GetString(), (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString());

        var mine = await (await buyer.SendAsync(HttpMethod.Get, "/api/me/orders")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(order.GetProperty("orderId").GetString(), mine[0].GetProperty("orderId").GetString());
        var sellerView = await seller.SendAsync(HttpMethod.Get, $"/api/markets/{marketId}/orders");
        Assert.Equal(HttpStatusCode.OK, sellerView.StatusCode);
        Assert.Equal(1, (await sellerView.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, (await buyer.SendAsync(HttpMethod.Get, $"/api/markets/{marketId}/orders")).StatusCode);
    }

    [Fact]
    public async Task Session_CreatedOnNodeA_WorksOnNodeBAndLogoutOnBEndsItOnA()
    {
        var a = _market.Nodes[0].CreateClient();
        var b = _market.Nodes[1].CreateClient();
        var user = await Shopper.SignUpAsync(a);
        await _market.WaitForSessionCachesAsync();
        // Both nodes have just seen the session live (and cache it for a few seconds).
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Via(b).SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Via(b).SendAsync(HttpMethod.Delete, "/api/sessions/current")).StatusCode);
        foreach (var node in new[] { a, b })
        {
            var after = await user.Via(node).SendAsync(HttpMethod.Get, "/api/me");
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
            Assert.Equal("unauthorized", await Shopper.ProblemCodeAsync(after));
        }
    }

    [Fact]
    public async Task Session_UsedRepeatedlyOnTwoNodes_IsCachedOnEach()
    {
        var a = _market.Nodes[0].CreateClient();
        var b = _market.Nodes[1].CreateClient();
        var user = await Shopper.SignUpAsync(a);
        await _market.WaitForSessionCachesAsync();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await user.Via(b).SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        }

        Assert.All(_market.Nodes, node => Assert.True(node.SessionsCached >= 1, "the node cached the session"));
    }
}
