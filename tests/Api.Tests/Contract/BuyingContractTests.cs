using System.Net;
using System.Text;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md, "Buying": every row, its success shape and each listed error.</summary>
public sealed class BuyingContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    internal static readonly string[] OrderFields = ["orderId", "listingId", "marketId", "buyerId", "quantity", "unitPriceCents", "totalCents", "createdAt"];

    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task Purchase_OpenListing_Returns201WithOrderFields()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);

        var order = await ApiAssert.JsonAsync(await buyer.PurchaseAsync(stall.ListingId, 2), HttpStatusCode.Created, OrderFields);

        Assert.StartsWith("o_", order.Str("orderId"), StringComparison.Ordinal);
        Assert.Equal(stall.ListingId, order.Str("listingId"));
        Assert.Equal(stall.MarketId, order.Str("marketId"));
        Assert.Equal(buyer.UserId, order.Str("buyerId"));
        Assert.Equal(2, order.Long("quantity"));
        Assert.Equal(1500, order.Long("unitPriceCents"));
        Assert.Equal(3000, order.Long("totalCents"));
        Assert.InRange(ApiAssert.UtcTimestamp(order.GetProperty("createdAt")), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(3, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_SameKeyAndBody_ReturnsSameOrderOnce()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);
        var first = await ApiAssert.JsonAsync(await buyer.PurchaseAsync(stall.ListingId, 2, "retry-key"), HttpStatusCode.Created, OrderFields);

        var retry = await buyer.PurchaseAsync(stall.ListingId, 2, "retry-key");

        Assert.True(retry.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"Retry answered {(int)retry.StatusCode}.");
        var again = await ApiAssert.JsonAsync(retry, retry.StatusCode, OrderFields);
        Assert.Equal(first.Str("orderId"), again.Str("orderId"));
        Assert.Equal(3, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_SameKeyDifferentBody_Returns422IdempotencyKeyReused()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);
        await buyer.PurchaseAsync(stall.ListingId, 1, "reused-key");

        var response = await buyer.PurchaseAsync(stall.ListingId, 2, "reused-key");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(4, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_MissingIdempotencyKey_Returns400Validation()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);

        var response = await buyer.SendAsync(HttpMethod.Post, $"/api/listings/{stall.ListingId}/purchases", new { quantity = 1 });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(5, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"quantity":0}""")]
    [InlineData("""{"quantity":-1}""")]
    [InlineData("""{"quantity":null}""")]
    public async Task Purchase_InvalidQuantity_Returns400Validation(string body)
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);
        var request = buyer.Request(HttpMethod.Post, $"/api/listings/{stall.ListingId}/purchases", idempotencyKey: "k");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        await ApiAssert.ProblemAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("l_0123456789abcdef0123456789abcdef")]
    [InlineData("lamp")]
    public async Task Purchase_UnknownListing_Returns404NotFound(string listingId)
    {
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(listingId, 1), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await (await buyer.SendAsync(HttpMethod.Get, "/api/me/orders")).ReadJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task Purchase_MarketOpensInFuture_Returns409NotOpen()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5, opensAt: DateTimeOffset.UtcNow.AddHours(1));
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 1), HttpStatusCode.Conflict, "not-open");
        Assert.Equal(5, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_MoreThanRemain_Returns409SoldOut()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 3);
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 4), HttpStatusCode.Conflict, "sold-out");
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 2)).StatusCode);
        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 2), HttpStatusCode.Conflict, "sold-out");
        Assert.Equal(1, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_NothingRemains_Returns409SoldOutAndListingIsSoldOut()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 1);
        var buyer = await Shopper.SignUpAsync(_http);
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 1)).StatusCode);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 1), HttpStatusCode.Conflict, "sold-out");

        var listing = await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync();
        Assert.Equal(0, listing.Long("remaining"));
        Assert.Equal("sold-out", listing.Str("status"));
    }

    [Fact]
    public async Task Purchase_OverMaxPerBuyer_Returns409LimitExceeded()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 10, maxPerBuyer: 2);
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 3), HttpStatusCode.Conflict, "limit-exceeded");
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 2)).StatusCode);
        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 1), HttpStatusCode.Conflict, "limit-exceeded");
        var other = await Shopper.SignUpAsync(_http);
        Assert.Equal(HttpStatusCode.Created, (await other.PurchaseAsync(stall.ListingId, 2)).StatusCode);
    }

    [Fact]
    public async Task Purchase_MarketClosedAlready_Returns409Closed()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5, opensAt: DateTimeOffset.UtcNow.AddHours(-2), closesAt: DateTimeOffset.UtcNow.AddHours(-1));
        var buyer = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 1), HttpStatusCode.Conflict, "closed");
        Assert.Equal(5, (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Long("remaining"));
    }

    [Fact]
    public async Task Purchase_AfterMarketCloses_Returns409Closed()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5, closesAt: DateTimeOffset.UtcNow.AddSeconds(2));
        var buyer = await Shopper.SignUpAsync(_http);
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 1)).StatusCode);

        await Eventually.WaitUntilAsync(
            async () => (await (await _http.GetAsync($"/api/markets/{stall.MarketId}")).ReadJsonAsync()).Str("status") == "closed",
            TimeSpan.FromSeconds(15), "the market is closed");

        await ApiAssert.ProblemAsync(await buyer.PurchaseAsync(stall.ListingId, 1), HttpStatusCode.Conflict, "closed");
        Assert.Equal("closed", (await (await _http.GetAsync($"/api/listings/{stall.ListingId}")).ReadJsonAsync()).Str("status"));
    }

    [Fact]
    public async Task Purchase_ManyConcurrentBuyers_NeverSellsMoreThanQuantity()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Shopper.SignUpAsync(_http)));

        var responses = await Task.WhenAll(buyers.Select(b => b.PurchaseAsync(stall.ListingId, 1)));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ProblemAsync(refused, HttpStatusCode.Conflict, "sold-out");
        }

        var orders = await (await stall.Seller.SendAsync(HttpMethod.Get, $"/api/markets/{stall.MarketId}/orders")).ReadJsonAsync();
        Assert.Equal(5, orders.EnumerateArray().Sum(o => o.Long("quantity")));
    }

    [Fact]
    public async Task GetMyOrders_SeveralPurchases_Returns200NewestFirst()
    {
        var first = await Stall.OpenAsync(_http, quantity: 5);
        var second = await Stall.OpenAsync(_http, quantity: 5);
        var buyer = await Shopper.SignUpAsync(_http);
        var placed = new List<string>();
        foreach (var listingId in new[] { first.ListingId, second.ListingId, first.ListingId })
        {
            placed.Add((await ApiAssert.JsonAsync(await buyer.PurchaseAsync(listingId, 1), HttpStatusCode.Created)).Str("orderId"));
        }

        var orders = await ApiAssert.JsonAsync(await buyer.SendAsync(HttpMethod.Get, "/api/me/orders"), HttpStatusCode.OK);

        foreach (var order in orders.EnumerateArray()) ApiAssert.Fields(order, OrderFields);
        Assert.Equal(Enumerable.Reverse(placed), orders.EnumerateArray().Select(o => o.Str("orderId")));
        var times = orders.EnumerateArray().Select(o => ApiAssert.UtcTimestamp(o.GetProperty("createdAt"))).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.All(orders.EnumerateArray(), o => Assert.Equal(buyer.UserId, o.Str("buyerId")));
    }

    [Fact]
    public async Task GetMyOrders_NoPurchases_Returns200EmptyArray()
    {
        var buyer = await Shopper.SignUpAsync(_http);

        var orders = await ApiAssert.JsonAsync(await buyer.SendAsync(HttpMethod.Get, "/api/me/orders"), HttpStatusCode.OK);

        Assert.Empty(orders.EnumerateArray());
    }

    [Fact]
    public async Task GetMarketOrders_Seller_Returns200WithOrdersOfEveryBuyer()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var a = await Shopper.SignUpAsync(_http);
        var b = await Shopper.SignUpAsync(_http);
        await a.PurchaseAsync(stall.ListingId, 1);
        await b.PurchaseAsync(stall.ListingId, 2);

        var orders = await ApiAssert.JsonAsync(await stall.Seller.SendAsync(HttpMethod.Get, $"/api/markets/{stall.MarketId}/orders"), HttpStatusCode.OK);

        foreach (var order in orders.EnumerateArray()) ApiAssert.Fields(order, OrderFields);
        Assert.Equal(new[] { a.UserId, b.UserId }.Order(StringComparer.Ordinal), orders.EnumerateArray().Select(o => o.Str("buyerId")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetMarketOrders_NotTheSeller_Returns403Forbidden()
    {
        var stall = await Stall.OpenAsync(_http);
        var buyer = await Shopper.SignUpAsync(_http);
        await buyer.PurchaseAsync(stall.ListingId, 1);

        await ApiAssert.ProblemAsync(await buyer.SendAsync(HttpMethod.Get, $"/api/markets/{stall.MarketId}/orders"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("m_0123456789abcdef0123456789abcdef")]
    [InlineData("market")]
    public async Task GetMarketOrders_UnknownMarket_Returns404NotFound(string marketId)
    {
        var seller = await Shopper.SignUpAsync(_http);

        await ApiAssert.ProblemAsync(await seller.SendAsync(HttpMethod.Get, $"/api/markets/{marketId}/orders"), HttpStatusCode.NotFound, "not-found");
    }
}
