using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Verification;

/// <summary>What the API says after the firing: the seller's orders, every listing, and every buyer's own orders.</summary>
internal sealed record ServerView(
    IReadOnlyList<OrderBody> MarketOrders, IReadOnlyList<ListingBody> Listings, IReadOnlyDictionary<string, IReadOnlyList<OrderBody>> OrdersByBuyer)
{
    /// <summary>Reads the view through the public API only, as a client would.</summary>
    public static async Task<ServerView> ReadAsync(ApiClient api, DropOptions options, DropWorld world, CancellationToken ct)
    {
        var marketOrders = (await SetupRetry.RunAsync("Read the market's orders", t => api.GetAllPagesAsync<OrderBody>(
            $"/api/markets/{world.MarketId}/orders", world.Seller.Auth, t), ct).ConfigureAwait(false)).Expect("Read the market's orders");

        var listings = new ListingBody[world.ListingIds.Count];
        await SetupRetry.ForEachAsync(listings.Length, options.SetupConcurrency, ct, async (i, token) =>
        {
            var what = $"Read listing {world.ListingIds[i]}";
            listings[i] = (await SetupRetry.RunAsync(what, t => api.GetAsync<ListingBody>(
                $"/api/listings/{world.ListingIds[i]}", null, t), token).ConfigureAwait(false)).Expect(what);
        }).ConfigureAwait(false);

        var buyerOrders = new List<OrderBody>[world.Buyers.Count];
        await SetupRetry.ForEachAsync(buyerOrders.Length, options.SetupConcurrency, ct, async (i, token) =>
        {
            var what = $"Read the orders of {world.Buyers[i].Username}";
            buyerOrders[i] = (await SetupRetry.RunAsync(what, t => api.GetAllPagesAsync<OrderBody>(
                "/api/me/orders", world.Buyers[i].Auth, t), token).ConfigureAwait(false)).Expect(what);
        }).ConfigureAwait(false);

        var byBuyer = new Dictionary<string, IReadOnlyList<OrderBody>>(StringComparer.Ordinal);
        for (var i = 0; i < buyerOrders.Length; i++) byBuyer[world.Buyers[i].UserId] = buyerOrders[i];
        return new ServerView(marketOrders, listings, byBuyer);
    }
}
