using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>A fresh seller with one market and one listing in it.</summary>
internal sealed record Stall(Shopper Seller, string MarketId, string ListingId)
{
    public static async Task<Stall> OpenAsync(
        HttpClient http, int quantity = 10, int? maxPerBuyer = null, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null)
    {
        var seller = await Shopper.SignUpAsync(http);
        var market = await seller.CreateMarketAsync(opensAt ?? DateTimeOffset.UtcNow.AddHours(-1), closesAt);
        var marketId = market.GetProperty("marketId").GetString()!;
        var listing = await seller.AddListingAsync(marketId, quantity, maxPerBuyer);
        return new Stall(seller, marketId, listing.GetProperty("listingId").GetString()!);
    }
}

/// <summary>Waits on a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var until = DateTimeOffset.UtcNow + deadline;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < until, $"Timed out after {deadline} waiting until {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
