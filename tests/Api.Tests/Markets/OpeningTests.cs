using System.Net;
using FleaMarket.Api.Tests.Infrastructure;
using FleaMarket.Grains;
using FleaMarket.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace FleaMarket.Api.Tests.Markets;

public sealed class OpeningTests
{
    [Fact]
    public async Task Market_OnFakeClock_WarmsListingsBeforeOpeningAndOpensExactlyAtOpensAt()
    {
        // The grains read the fake clock; Orleans' reminders and timers stay on real time.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, time: clock);
        var http = market.Nodes[0].CreateClient();
        var seller = await Shopper.SignUpAsync(http);

        // The warm-up lead is 5 s in tests: opening 7 s from now puts the warm-up reminder 2 s out.
        var opensAt = clock.GetUtcNow().AddSeconds(7);
        var created = await seller.CreateMarketAsync(opensAt);
        var marketId = created.GetProperty("marketId").GetString()!;
        Assert.Equal("scheduled", created.GetProperty("status").GetString());
        var listingId = (await seller.AddListingAsync(marketId, quantity: 10)).GetProperty("listingId").GetString()!;
        var buyer = await Shopper.SignUpAsync(http);

        var early = await buyer.PurchaseAsync(listingId, 1);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("not-open", await Shopper.ProblemCodeAsync(early));

        // Take the listing out of memory; the opening reminder brings it back before anyone asks for it.
        var listing = market.Cluster.Client.GetGrain<IListingGrain>(listingId).GetGrainId();
        await market.Cluster.DeactivateAsync(listing);
        Assert.Null(market.SiloOf(listing));
        await Eventually.WaitUntilAsync(() => market.SiloOf(listing) is not null, "the warm-up reminder to activate the listing");

        clock.SetUtcNow(opensAt - TimeSpan.FromTicks(1));
        var oneTickBefore = await buyer.PurchaseAsync(listingId, 1);
        Assert.Equal("not-open", await Shopper.ProblemCodeAsync(oneTickBefore));

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingId, 1)).StatusCode);
        var opened = await (await http.GetAsync($"/api/markets/{marketId}")).Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"open\"", opened, StringComparison.Ordinal);
    }
}
