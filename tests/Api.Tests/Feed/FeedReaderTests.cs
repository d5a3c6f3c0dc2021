using System.Net.ServerSentEvents;
using System.Text.Json;
using FleaMarket.Api.Feed;
using FleaMarket.Grains;

namespace FleaMarket.Api.Tests.Feed;

/// <summary>A reader's mailbox: bounded however far behind the reader is, and the last value always kept.</summary>
public sealed class FeedReaderTests
{
    private static readonly MarketView s_market = new("m_1", "u_1", "Drop", null, DateTimeOffset.UnixEpoch, null, MarketStatus.Open);

    [Fact]
    public async Task PostListing_ReaderFarBehind_KeepsOneValuePerListingTheLatest()
    {
        using var reader = new FeedReader(_ => { });
        for (var remaining = 1000; remaining >= 0; remaining--)
        {
            reader.PostListing(Listing("l_a", remaining));
            reader.PostListing(Listing("l_b", remaining / 2));
        }

        Assert.Equal(2, reader.Pending);
        var events = await ReadAsync(reader, count: 2);
        Assert.Equal([("listing", "l_a", 0), ("listing", "l_b", 0)], events.Select(e => (e.EventType, Data(e).GetProperty("listingId").GetString(), Remaining(e))));
    }

    [Fact]
    public async Task PostMarket_AfterListingValues_ReplacesThemAndComesFirst()
    {
        using var reader = new FeedReader(_ => { });
        reader.PostListing(Listing("l_a", 5));
        reader.PostMarket(FeedEvent.Market(new MarketDetails(s_market, [View("l_a", 4)]), JsonSerializerOptions.Web));
        reader.PostListing(Listing("l_a", 3));

        Assert.Equal(2, reader.Pending);
        var events = await ReadAsync(reader, count: 2);
        Assert.Equal(["market", "listing"], events.Select(e => e.EventType));
        Assert.Equal(3, Remaining(events[1]));
        Assert.Equal(["1", "2"], events.Select(e => e.EventId));
    }

    [Fact]
    public async Task ReadAll_Silence_SendsPingWithEmptyData()
    {
        using var reader = new FeedReader(_ => { });

        var events = await ReadAsync(reader, count: 1, keepAlive: TimeSpan.FromMilliseconds(50));

        Assert.Equal("ping", events[0].EventType);
        Assert.Equal(string.Empty, events[0].Data);
    }

    [Fact]
    public async Task ReadAll_Ended_SendsWhatIsPendingThenStopsAndLetsGo()
    {
        var released = 0;
        var reader = new FeedReader(_ => released++);
        reader.PostListing(Listing("l_a", 1));
        reader.End();

        var events = new List<SseItem<string>>();
        await foreach (var item in reader.ReadAllAsync(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None)) events.Add(item);

        Assert.Equal(["listing"], events.Select(e => e.EventType));
        Assert.Equal(1, released);
        reader.Dispose();
        Assert.Equal(1, released);
    }

    private static ListingView View(string id, int remaining) =>
        new(id, "m_1", "Lamp", null, 1500, 1000, remaining, null, remaining == 0 ? ListingStatus.SoldOut : ListingStatus.OnSale);

    private static FeedEvent Listing(string id, int remaining) => FeedEvent.Listing(View(id, remaining), JsonSerializerOptions.Web);

    private static JsonElement Data(SseItem<string> item) => JsonDocument.Parse(item.Data).RootElement;

    private static int Remaining(SseItem<string> item) => Data(item).GetProperty("remaining").GetInt32();

    private static async Task<List<SseItem<string>>> ReadAsync(FeedReader reader, int count, TimeSpan? keepAlive = null)
    {
        var events = new List<SseItem<string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var item in reader.ReadAllAsync(keepAlive ?? TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None, timeout.Token))
        {
            events.Add(item);
            if (events.Count == count) break;
        }

        return events;
    }
}
