using FleaMarket.TestKit;
using System.Net;
using FleaMarket.Api.Tests.Infrastructure;
using FleaMarket.Runtime.Testing;

namespace FleaMarket.Api.Tests.Markets;

public sealed class OpeningTests
{
    [Fact]
    public async Task Market_OnManualClock_WarmsListingsBeforeOpeningAndOpensExactlyAtOpensAt()
    {
        // One silo: with a manual clock, several silos would also move their probe timers.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, time: clock);
        var http = market.Nodes[0].CreateClient();
        var seller = await Shopper.SignUpAsync(http);
        var opensAt = clock.GetUtcNow().AddMinutes(30);
        var created = await seller.CreateMarketAsync(opensAt);
        var marketId = created.GetProperty("marketId").GetString()!;
        Assert.Equal("scheduled", created.GetProperty("status").GetString());
        var listingId = (await seller.AddListingAsync(marketId, quantity: 10)).GetProperty("listingId").GetString()!;
        var buyer = await Shopper.SignUpAsync(http);

        var early = await buyer.PurchaseAsync(listingId, 1);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("not-open", await Shopper.ProblemCodeAsync(early));

        // Idle collection (15 min) takes the listing; at the warm-up lead (5 s in tests) the opening reminder brings it back.
        var silo = market.Cluster.Silos[0];
        clock.Advance(TimeSpan.FromMinutes(29) + TimeSpan.FromSeconds(50));
        await Eventually.WaitUntilAsync(() => !silo.ActivationIds.Any(id => id.Key == listingId));
        clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.WaitUntilAsync(() => silo.ActivationIds.Any(id => id.Key == listingId));

        clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        var oneTickBefore = await buyer.PurchaseAsync(listingId, 1);
        Assert.Equal("not-open", await Shopper.ProblemCodeAsync(oneTickBefore));

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingId, 1)).StatusCode);
    }
}
