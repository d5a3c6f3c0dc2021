using System.Net;
using FleaMarket.Api.Feed;
using FleaMarket.Api.Tests.Contract;
using FleaMarket.Api.Tests.Infrastructure;
using FleaMarket.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using static FleaMarket.Api.Tests.Feed.MarketEventsTests;
using EventStream = FleaMarket.TestKit.EventStream;

namespace FleaMarket.Api.Tests.Feed;

/// <summary>The feed across API nodes and silos, on a moving fake clock, through a silo failure, and under its per-address cap.</summary>
public sealed class MarketEventsClusterTests
{
    [Fact]
    public async Task Events_PurchasesThroughAnotherNode_EveryNodesReadersEndAtTheFinalRemaining()
    {
        // Node 0 calls through the cluster client, nodes 1 and 2 through one silo each.
        await using var market = await FleaMarketCluster.StartAsync(silos: 2, apiNodes: 3);
        var nodes = market.Nodes.Select(n => n.CreateClient()).ToArray();
        var (_, marketId, listingIds) = await OpenMarketAsync(nodes[1], listings: 2, quantity: 50);
        var streams = new List<EventStream>();
        try
        {
            foreach (var node in nodes) streams.Add(await EventStream.OpenAsync(node, marketId));
            foreach (var stream in streams) await stream.WaitForAsync(e => e.EventType == "market", "the snapshot");

            var buyers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Shopper.SignUpAsync(nodes[1])));
            await Task.WhenAll(buyers.Select(async (buyer, b) =>
            {
                for (var i = 0; i < 7; i++) Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingIds[(b + i) % 2], 1)).StatusCode);
            }));

            foreach (var listingId in listingIds)
            {
                var final = await RemainingAsync(nodes[0], listingId);
                foreach (var stream in streams) await stream.WaitForRemainingAsync(listingId, final);
            }

            Assert.Equal(100 - 42, await RemainingAsync(nodes[2], listingIds[0]) + await RemainingAsync(nodes[2], listingIds[1]));
            // One subscription per node for all of its readers.
            Assert.All(market.Nodes, n => Assert.Equal(1, n.Services.GetRequiredService<MarketFeeds>().MarketCount));
        }
        finally
        {
            foreach (var stream in streams) await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Events_MarketOpensAndCloses_SendsMarketEventsWithTheNewStatus()
    {
        // The hub's timers run on the grains' (fake) clock. Renewals, which would also bring the news, are an hour
        // apart here, and the clock moves less than the hub's observer expiry (1 min): the events come from the timers.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, time: clock,
            configureApiServices: s => s.Configure<LiveFeedOptions>(o => o.FeedRenewPeriod = TimeSpan.FromHours(1)));
        var http = market.Nodes[0].CreateClient();
        var seller = await Shopper.SignUpAsync(http);
        var opensAt = clock.GetUtcNow().AddSeconds(30);
        var closesAt = opensAt.AddSeconds(20);
        var marketId = (await seller.CreateMarketAsync(opensAt, closesAt)).GetProperty("marketId").GetString()!;
        await seller.AddListingAsync(marketId, quantity: 5);
        await using var stream = await EventStream.OpenAsync(http, marketId);
        var snapshot = EventStream.Data(await stream.WaitForAsync(e => e.EventType == "market", "the snapshot"));
        Assert.Equal("scheduled", snapshot.GetProperty("status").GetString());

        clock.SetUtcNow(opensAt);

        var opened = EventStream.Data(await stream.WaitForAsync(e => e.EventType == "market" && Status(e) == "open", "the market event on opening"));
        Assert.Equal("on-sale", opened.GetProperty("listings")[0].GetProperty("status").GetString());

        clock.SetUtcNow(closesAt);

        var closed = EventStream.Data(await stream.WaitForAsync(e => e.EventType == "market" && Status(e) == "closed", "the market event on closing"));
        Assert.Equal("closed", closed.GetProperty("listings")[0].GetProperty("status").GetString());
        Assert.Equal(["scheduled", "open", "closed"], stream.Events.Where(e => e.EventType == "market").Select(Status));
    }

    [Fact]
    public async Task Events_HubsSiloKilled_FeedCarriesOnToTheFinalRemaining()
    {
        await using var market = await FleaMarketCluster.StartAsync(silos: 3, apiNodes: 1,
            configureApiServices: s => s.Configure<LiveFeedOptions>(o => o.FeedRenewPeriod = TimeSpan.FromSeconds(1)));
        var http = market.Nodes[0].CreateClient();
        var (_, marketId, listingIds) = await OpenMarketAsync(http, listings: 1, quantity: 100);
        var listingId = listingIds[0];
        await using var stream = await EventStream.OpenAsync(http, marketId);
        await stream.WaitForAsync(e => e.EventType == "market", "the snapshot");
        var buyers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Shopper.SignUpAsync(http)));
        await BuyAsync(buyers, listingId, each: 3);
        await stream.WaitForRemainingAsync(listingId, 88);

        var hub = market.SiloOf(market.Cluster.Client.GetGrain<IMarketFeedGrain>(marketId).GetGrainId());
        Assert.NotNull(hub);
        await market.Cluster.KillSiloAsync(market.Cluster.GetSiloForAddress(hub)!);
        await BuyAsync(buyers, listingId, each: 5);

        Assert.Equal(68, await RemainingAsync(http, listingId));
        await stream.WaitForRemainingAsync(listingId, 68);
        Assert.False(stream.Ended);
    }

    [Fact]
    public async Task Events_MoreStreamsThanTheAddressCap_Answers429UntilOneCloses()
    {
        await using var market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1,
            configureApiServices: s => s.Configure<LiveFeedOptions>(o => o.FeedConnectionsPerAddress = 2));
        var peer = ApiClusterFixture.NewPeer();
        var http = market.Nodes[0].CreateClient(peer);
        var (_, marketId, _) = await OpenMarketAsync(http, listings: 1);
        var first = await EventStream.OpenAsync(http, marketId);
        await using var second = await EventStream.OpenAsync(http, marketId);

        using (var third = await EventStream.SendAsync(http, marketId))
        {
            await ApiAssert.ProblemAsync(third, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.True(third.Headers.RetryAfter is not null, "429 without Retry-After");
        }

        await using (await EventStream.OpenAsync(market.Nodes[0].CreateClient(ApiClusterFixture.NewPeer()), marketId))
        {
            // Another address has its own allowance.
        }

        await first.DisposeAsync();
        await TestKit.Eventually.WaitUntilAsync(async () =>
        {
            using var again = await EventStream.SendAsync(http, marketId);
            return again.StatusCode == HttpStatusCode.OK;
        }, "a stream from the address once one of its streams closed");
    }

    private static string? Status(System.Net.ServerSentEvents.SseItem<string> item) => EventStream.Data(item).GetProperty("status").GetString();

    /// <summary>Each buyer buys one unit <paramref name="each"/> times, retrying a 503 (a silo just died) with the same key.</summary>
    private static Task BuyAsync(Shopper[] buyers, string listingId, int each) => Task.WhenAll(buyers.Select(async buyer =>
    {
        for (var i = 0; i < each; i++)
        {
            var key = Guid.NewGuid().ToString("N");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpStatusCode status;
            while ((status = (await buyer.PurchaseAsync(listingId, 1, key)).StatusCode) == HttpStatusCode.ServiceUnavailable)
            {
                Assert.True(DateTime.UtcNow < deadline, "Purchases kept failing with 503 for a minute.");
            }

            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"Purchase answered {status}");
        }
    }));
}
