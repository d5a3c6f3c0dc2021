using System.Net;
using FleaMarket.Api.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FleaMarket.Api.Tests.Users;

public sealed class SessionExpiryTests
{
    [Fact]
    public async Task Session_UnusedLongerThanSlidingExpiry_IsRefused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, time: clock, configureApi: GrainClockOnly);
        var user = await Shopper.SignUpAsync(market.Nodes[0].CreateClient());

        clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);

        // That use slid the expiry to 24 h from now; 23 h later it still holds, 24 h later it does not.
        clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        clock.Advance(TimeSpan.FromHours(24));
        var expired = await user.SendAsync(HttpMethod.Get, "/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("unauthorized", await Shopper.ProblemCodeAsync(expired));
    }

    // The sessions' expiry is the grains' (fake) clock; an API node's session cache runs on real time and would
    // accept a session for a few real seconds after the fake clock jumped past its expiry. Off here: this is about
    // the grains' expiry, and the cache's own lifetime has its tests (SessionCacheTests).
    private static void GrainClockOnly(ApiOptions options) => options.SessionCacheDuration = TimeSpan.Zero;
}
