using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FleaMarket.Api.Feed;
using FleaMarket.Api.Tests.Contract;
using FleaMarket.Api.Tests.Infrastructure;
using FleaMarket.Grains;
using Eventually = FleaMarket.TestKit.Eventually;
using EventStream = FleaMarket.TestKit.EventStream;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Api.Tests.Feed;

/// <summary>GET /api/markets/{marketId}/events on one silo and one API node: what a reader of the feed sees.</summary>
public sealed class MarketEventsTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    [Fact]
    public async Task Events_NewReader_FirstEventIsTheMarketAsGetAnswersIt()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, _) = await OpenMarketAsync(http, listings: 2);

        await using var stream = await EventStream.OpenAsync(http, marketId);
        var first = await stream.WaitForAsync(_ => true, "the first event");

        Assert.Equal("market", first.EventType);
        var get = await (await http.GetAsync($"/api/markets/{marketId}")).Content.ReadAsStringAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(get), JsonNode.Parse(first.Data)), $"GET answered {get}, the snapshot was {first.Data}");
        Assert.Equal(2, EventStream.Data(first).GetProperty("listings").GetArrayLength());
        Assert.True(stream.Response.Headers.CacheControl?.NoStore, $"Cache-Control: {stream.Response.Headers.CacheControl}");
        Assert.Equal("no", Assert.Single(stream.Response.Headers.GetValues("X-Accel-Buffering")));
    }

    [Fact]
    public async Task Events_Purchases_LastListingEventIsTheListingsFinalRemaining()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, listingIds) = await OpenMarketAsync(http, listings: 1, quantity: 100);
        var listingId = listingIds[0];
        await using var stream = await EventStream.OpenAsync(http, marketId);
        await stream.WaitForAsync(e => e.EventType == "market", "the snapshot");

        var buyers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Shopper.SignUpAsync(http)));
        var window = Stopwatch.StartNew();
        await Task.WhenAll(buyers.Select(async buyer =>
        {
            for (var i = 0; i < 15; i++) Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingId, 1)).StatusCode);
        }));

        var final = await RemainingAsync(http, listingId);
        Assert.Equal(40, final);
        await stream.WaitForRemainingAsync(listingId, final);
        window.Stop();
        var listingEvents = stream.Events.Where(e => e.EventType == "listing").Select(EventStream.Data).ToList();
        Assert.NotEmpty(listingEvents);
        // Coalesced: the hub sends a listing at most once per batch interval (250 ms), whatever the purchase rate.
        Assert.InRange(listingEvents.Count, 1, (int)(window.Elapsed / TimeSpan.FromMilliseconds(250)) + 1);
        Assert.All(listingEvents, e => Assert.Equal([nameof(ListingEvent.ListingId), nameof(ListingEvent.Remaining), nameof(ListingEvent.Status)],
            e.EnumerateObject().Select(p => char.ToUpperInvariant(p.Name[0]) + p.Name[1..])));
        // Stock only goes down here, and no event arrives out of order.
        var seen = listingEvents.Select(e => e.GetProperty("remaining").GetInt32()).ToList();
        Assert.Equal(seen.OrderByDescending(r => r), seen);
        Assert.Equal("on-sale", listingEvents[^1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_ListingSoldOut_LastEventSaysSoldOut()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, listingIds) = await OpenMarketAsync(http, listings: 1, quantity: 3);
        await using var stream = await EventStream.OpenAsync(http, marketId);
        await stream.WaitForAsync(e => e.EventType == "market", "the snapshot");
        var buyer = await Shopper.SignUpAsync(http);

        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingIds[0], 3)).StatusCode);

        var soldOut = await stream.WaitForAsync(e => e.EventType == "listing" && EventStream.Data(e).GetProperty("remaining").GetInt32() == 0, "the sold-out event");
        Assert.Equal("sold-out", EventStream.Data(soldOut).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_LastEventIdAfterPurchases_StartsWithAFreshSnapshot()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, listingIds) = await OpenMarketAsync(http, listings: 1, quantity: 10);
        var buyer = await Shopper.SignUpAsync(http);
        string lastEventId;
        await using (var stream = await EventStream.OpenAsync(http, marketId))
        {
            Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingIds[0], 2)).StatusCode);
            lastEventId = (await stream.WaitForAsync(e => e.EventType == "listing", "a listing event")).EventId!;
        }

        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(listingIds[0], 3)).StatusCode);
        await using var resumed = await EventStream.OpenAsync(http, marketId, lastEventId);

        var first = await resumed.WaitForAsync(_ => true, "the first event after resuming");
        Assert.Equal("market", first.EventType);
        Assert.Equal(5, EventStream.Data(first).GetProperty("listings")[0].GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task Events_ListingAdded_SendsAMarketEventWithIt()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (seller, marketId, _) = await OpenMarketAsync(http, listings: 1);
        await using var stream = await EventStream.OpenAsync(http, marketId);
        await stream.WaitForAsync(e => e.EventType == "market", "the snapshot");

        var added = (await seller.AddListingAsync(marketId, quantity: 7)).GetProperty("listingId").GetString();

        await stream.WaitForAsync(e => e.EventType == "market" && EventStream.Data(e).GetProperty("listings").EnumerateArray()
            .Any(l => l.GetProperty("listingId").GetString() == added), "a market event with the new listing");
    }

    [Theory]
    [InlineData("m_0123456789abcdef0123456789abcdef")]
    [InlineData("not-a-market")]
    [InlineData("M_0123456789ABCDEF0123456789ABCDEF")]
    public async Task Events_UnknownOrMalformedMarket_Answers404Problem(string marketId)
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());

        using var response = await EventStream.SendAsync(http, marketId);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Events_Head_AnswersTheStreamsHeadersAndEnds()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, _) = await OpenMarketAsync(http, listings: 1);

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/markets/{marketId}/events"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Events_ReaderNeverReads_PurchasesCompleteAndItsMailboxStaysBounded()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, listingIds) = await OpenMarketAsync(http, listings: 2, quantity: 1000);
        // Headers read, body never: this reader takes nothing the node sends it.
        using var stalled = await EventStream.SendAsync(http, marketId);
        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);
        await using var reading = await EventStream.OpenAsync(http, marketId);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Shopper.SignUpAsync(http)));

        var purchases = await Task.WhenAll(buyers.Select(async (buyer, b) =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 25; i++) statuses.Add((await buyer.PurchaseAsync(listingIds[(b + i) % 2], 1)).StatusCode);
            return statuses;
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(200, purchases.SelectMany(s => s).Count(s => s == HttpStatusCode.Created));
        foreach (var listingId in listingIds) await reading.WaitForRemainingAsync(listingId, await RemainingAsync(http, listingId));
        var feed = fixture.Market.Nodes[0].Services.GetRequiredService<MarketFeeds>().Find(marketId);
        Assert.NotNull(feed);
        Assert.Equal(2, feed.ReaderCount);
        // At most a snapshot and one value per listing wait for any reader, however far behind it is.
        Assert.InRange(feed.MostPending, 0, 1 + listingIds.Length);
    }

    [Fact]
    public async Task Events_LastReaderLeaves_NodeUnsubscribesAndHubGoesAway()
    {
        var http = fixture.NewClient(ApiClusterFixture.NewPeer());
        var (_, marketId, _) = await OpenMarketAsync(http, listings: 1);
        var feeds = fixture.Market.Nodes[0].Services.GetRequiredService<MarketFeeds>();
        var hub = fixture.Market.Cluster.Client.GetGrain<IMarketFeedGrain>(marketId).GetGrainId();

        await using (var first = await EventStream.OpenAsync(http, marketId))
        await using (var second = await EventStream.OpenAsync(http, marketId))
        {
            await first.WaitForAsync(e => e.EventType == "market", "the first reader's snapshot");
            await second.WaitForAsync(e => e.EventType == "market", "the second reader's snapshot");
            Assert.Equal(2, feeds.Find(marketId)?.ReaderCount);
            Assert.NotNull(fixture.Market.SiloOf(hub));
        }

        await Eventually.WaitUntilAsync(() => feeds.Find(marketId) is null, "the node to drop its subscription");
        await Eventually.WaitUntilAsync(() => fixture.Market.SiloOf(hub) is null, "the hub to deactivate");
    }

    internal static async Task<(Shopper Seller, string MarketId, string[] ListingIds)> OpenMarketAsync(HttpClient http, int listings, int quantity = 10)
    {
        var seller = await Shopper.SignUpAsync(http);
        var marketId = (await seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddMinutes(-1))).GetProperty("marketId").GetString()!;
        var listingIds = new string[listings];
        for (var i = 0; i < listings; i++) listingIds[i] = (await seller.AddListingAsync(marketId, quantity)).GetProperty("listingId").GetString()!;
        return (seller, marketId, listingIds);
    }

    internal static async Task<int> RemainingAsync(HttpClient http, string listingId) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/listings/{listingId}")).GetProperty("remaining").GetInt32();
}
