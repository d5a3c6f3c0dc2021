using System.Net;
using System.Net.Http.Json;
using System.Text;
using FleaMarket.Api.Tests.Contract;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>
/// Fresh state for one bad request: a seller with an open market and a listing, a buyer who already bought one
/// unit, and an unused username. <see cref="SnapshotAsync"/> reads everything a bad request could have changed.
/// </summary>
internal sealed record World(HttpClient Http, Shopper Seller, Shopper Buyer, string BuyerUsername, string MarketId, string ListingId, string FreshUsername)
{
    public const string Password = "correct horse";

    public static async Task<World> CreateAsync(HttpClient http)
    {
        var stall = await Stall.OpenAsync(http, quantity: 10, maxPerBuyer: 5);
        var buyerUsername = Shopper.NewUsername();
        var buyer = await Shopper.SignUpAsync(http, buyerUsername);
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 1, "first")).StatusCode);
        return new World(http, stall.Seller, buyer, buyerUsername, stall.MarketId, stall.ListingId, Shopper.NewUsername());
    }

    /// <summary>Stock, listings, markets, orders and sessions of both users, as one comparable text.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        await Append(text, Http.GetAsync($"/api/markets/{MarketId}"));
        await Append(text, Http.GetAsync($"/api/listings/{ListingId}"));
        await Append(text, Http.GetAsync($"/api/users/{Seller.UserId}/markets"));
        await Append(text, Http.GetAsync($"/api/users/{Buyer.UserId}/markets"));
        await Append(text, Seller.SendAsync(HttpMethod.Get, $"/api/markets/{MarketId}/orders"));
        await Append(text, Seller.SendAsync(HttpMethod.Get, "/api/me/orders"));
        await Append(text, Buyer.SendAsync(HttpMethod.Get, "/api/me/orders"));
        await Append(text, Seller.SendAsync(HttpMethod.Get, "/api/me"));
        await Append(text, Buyer.SendAsync(HttpMethod.Get, "/api/me"));
        return text.ToString();
    }

    /// <summary>The unused username is still free: nobody was registered under it.</summary>
    public async Task AssertFreshUsernameFreeAsync()
    {
        var response = await Http.PostAsJsonAsync("/api/users", new { username = FreshUsername, password = Password, displayName = "Late" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task Append(StringBuilder text, Task<HttpResponseMessage> request)
    {
        var response = await request;
        text.Append((int)response.StatusCode).Append(' ').AppendLine(await response.Content.ReadAsStringAsync());
    }
}
