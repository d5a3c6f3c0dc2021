using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md: the read routes behind every Location, and paged order lists.</summary>
public sealed class CompleteContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task GetUser_Registered_Returns200PublicProfile()
    {
        var username = Shopper.NewUsername();
        var registered = await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });
        var userId = (await registered.ReadJsonAsync()).Str("userId");

        var user = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/users/{userId}"), HttpStatusCode.OK, "userId", "username", "displayName");

        Assert.Equal(userId, user.Str("userId"));
        Assert.Equal(username, user.Str("username"));
        Assert.Equal("Ada", user.Str("displayName"));
    }

    [Theory]
    [InlineData("u_00000000000000000000000000000000")]
    [InlineData("nope")]
    public async Task GetUser_Unknown_Returns404(string userId) =>
        await ApiAssert.ProblemAsync(await _http.GetAsync($"/api/users/{userId}"), HttpStatusCode.NotFound, "not-found");

    [Fact]
    public async Task GetCurrentSession_LiveToken_Returns200UntilLogout()
    {
        var shopper = await Shopper.SignUpAsync(_http);

        var session = await ApiAssert.JsonAsync(await shopper.SendAsync(HttpMethod.Get, "/api/sessions/current"), HttpStatusCode.OK, "userId", "expiresAt");

        Assert.Equal(shopper.UserId, session.Str("userId"));
        Assert.True(ApiAssert.UtcTimestamp(session.GetProperty("expiresAt")) > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal(HttpStatusCode.NoContent, (await shopper.SendAsync(HttpMethod.Delete, "/api/sessions/current")).StatusCode);
        await ApiAssert.ProblemAsync(await shopper.SendAsync(HttpMethod.Get, "/api/sessions/current"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task GetOrder_BuyerAndSeller_Return200AndAnyoneElse404()
    {
        var stall = await Stall.OpenAsync(_http);
        var buyer = await Shopper.SignUpAsync(_http);
        var order = await (await buyer.PurchaseAsync(stall.ListingId, 2)).ReadJsonAsync();
        var path = $"/api/orders/{order.Str("orderId")}";

        var byBuyer = await ApiAssert.JsonAsync(await buyer.SendAsync(HttpMethod.Get, path), HttpStatusCode.OK);
        var bySeller = await ApiAssert.JsonAsync(await stall.Seller.SendAsync(HttpMethod.Get, path), HttpStatusCode.OK);
        var stranger = await Shopper.SignUpAsync(_http);

        Assert.Equal(order.GetRawText(), byBuyer.GetRawText());
        Assert.Equal(order.GetRawText(), bySeller.GetRawText());
        await ApiAssert.ProblemAsync(await stranger.SendAsync(HttpMethod.Get, path), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await _http.GetAsync(path), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(await buyer.SendAsync(HttpMethod.Get, path[..^1] + (path[^1] == '0' ? '1' : '0')), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await buyer.SendAsync(HttpMethod.Get, "/api/orders/o_123"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task EveryCreated_Location_ResolvesWithGet()
    {
        var username = Shopper.NewUsername();
        var user = await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });
        var login = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "correct horse" });
        var token = (await login.ReadJsonAsync()).Str("token");
        var seller = new Shopper(_http, (await user.ReadJsonAsync()).Str("userId"), token);
        var market = await seller.SendAsync(HttpMethod.Post, "/api/markets", new { title = "Drop", opensAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var marketId = (await market.ReadJsonAsync()).Str("marketId");
        var listing = await seller.SendAsync(HttpMethod.Post, $"/api/markets/{marketId}/listings", new { title = "Lamp", priceCents = 100, quantity = 5 });
        var buyer = await Shopper.SignUpAsync(_http);
        var order = await buyer.PurchaseAsync((await listing.ReadJsonAsync()).Str("listingId"), 1);

        foreach (var (created, reader) in new[] { (user, seller), (login, seller), (market, seller), (listing, seller), (order, buyer) })
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var location = created.Headers.Location;
            Assert.NotNull(location);
            var read = await reader.SendAsync(HttpMethod.Get, location.OriginalString);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {location} answered {(int)read.StatusCode}");
        }
    }

    [Fact]
    public async Task GetMyOrders_PagedByTwo_WalksEveryOrderOnceNewestFirst()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 10);
        var buyer = await Shopper.SignUpAsync(_http);
        var bought = new List<string>();
        for (var i = 0; i < 5; i++) bought.Add((await (await buyer.PurchaseAsync(stall.ListingId, 1)).ReadJsonAsync()).Str("orderId"));

        var walked = await WalkAsync(buyer, "/api/me/orders?limit=2", expectedPages: 3);

        Assert.Equal(Enumerable.Reverse(bought), walked);
    }

    [Fact]
    public async Task GetMarketOrders_ListingThatSold100000Units_PagesThroughEveryOrder()
    {
        // 100,000 units in 2,000 orders of 50, from 20 buyers at once.
        var stall = await Stall.OpenAsync(_http, quantity: 100_000);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Shopper.SignUpAsync(_http)));
        await Task.WhenAll(buyers.Select(async buyer =>
        {
            for (var i = 0; i < 100; i++) Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 50)).StatusCode);
        }));

        var walked = await WalkAsync(stall.Seller, $"/api/markets/{stall.MarketId}/orders?limit=1000", expectedPages: 2);

        Assert.Equal(2_000, walked.Count);
        Assert.Equal(2_000, walked.Distinct().Count());
        var listing = await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync();
        Assert.Equal(0, listing.Long("remaining"));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("limit=-1")]
    [InlineData("limit=1&limit=2")]
    [InlineData("after=o_123")]
    [InlineData("after=")]
    public async Task GetMyOrders_BadPage_Returns400Validation(string query)
    {
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.SendAsync(HttpMethod.Get, $"/api/me/orders?{query}"), HttpStatusCode.BadRequest, "validation");
    }

    /// <summary>Follows rel="next" links from <paramref name="first"/>; returns every order id in the order served.</summary>
    private static async Task<List<string>> WalkAsync(Shopper reader, string first, int expectedPages)
    {
        var ids = new List<string>();
        var pages = 0;
        for (string? next = first; next is not null; pages++)
        {
            var response = await reader.SendAsync(HttpMethod.Get, next);
            var page = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
            ids.AddRange(page.EnumerateArray().Select(o => o.Str("orderId")));
            next = NextLink(response.Headers);
            Assert.True(pages < expectedPages, $"More than {expectedPages} pages.");
        }

        Assert.Equal(expectedPages, pages);
        return ids;
    }

    private static string? NextLink(HttpResponseHeaders headers)
    {
        if (!headers.TryGetValues("Link", out var values)) return null;
        var link = Assert.Single(values);
        Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}
