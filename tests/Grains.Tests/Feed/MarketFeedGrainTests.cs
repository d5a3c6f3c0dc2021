using System.Collections.Concurrent;
using FleaMarket.TestKit;

namespace FleaMarket.Grains.Tests.Feed;

/// <summary>
/// A market's feed hub on the fake clock: what an observer receives, how listing reports are coalesced, and that
/// nothing is kept without observers. Reports are one-way; a renewal (an ordinary call) after them is the point by
/// which the hub has taken them.
/// </summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class MarketFeedGrainTests(GrainClusterFixture fixture)
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(250);
    private readonly List<RecordingObserver> _observers = [];

    [Fact]
    public async Task Subscribe_UnknownMarket_ReturnsNullAndLeavesNothing()
    {
        var hub = fixture.Grains.GetGrain<IMarketFeedGrain>($"m_{Guid.NewGuid():N}");
        var (observer, _) = Observe();

        Assert.Null(await hub.Subscribe(observer));

        await fixture.AssertLeftNothingAsync(hub);
    }

    [Fact]
    public async Task Subscribe_ExistingMarket_AnswersItsSnapshotWithListings()
    {
        var (hub, listingId) = await MarketAsync();
        var (observer, _) = Observe();

        var snapshot = await hub.Subscribe(observer);

        Assert.NotNull(snapshot);
        Assert.Equal(MarketStatus.Open, snapshot.Details.Market.Status);
        Assert.Equal(listingId, Assert.Single(snapshot.Details.Listings).ListingId);
        Assert.Equal(10, snapshot.Details.Listings[0].Remaining);
    }

    [Fact]
    public async Task ListingChanged_ManyReportsInOneInterval_FirstSentAtOnceTheRestAsOneBatchWithTheLatest()
    {
        var (hub, listingId) = await MarketAsync();
        var (observer, received) = Observe();
        var first = (await hub.Subscribe(observer))!;

        await hub.ListingChanged(new ListingStock(listingId, 9, ListingStatus.OnSale, 1));
        // Listing batches only: the market grain's one-way MarketChanged for the listing added in MarketAsync may
        // reach the hub after the subscription and bring a snapshot too (counting every event, the wait for
        // exactly one could see none, then two).
        await Eventually.WaitUntilAsync(() => received.OfType<FeedListings>().Count() == 1, "the first report, sent at once");
        for (var remaining = 8; remaining >= 3; remaining--) await hub.ListingChanged(new ListingStock(listingId, remaining, ListingStatus.OnSale, 10 - remaining));
        await WaitForRemainingAsync(hub, observer, 3);

        // The clock has not moved: the other six wait for the interval, merged into one batch with the latest.
        Assert.Single(received.OfType<FeedListings>());
        Assert.Equal(9, Batch(received, 0).Remaining);
        fixture.Clock.Advance(s_interval);
        await Eventually.WaitUntilAsync(() => received.OfType<FeedListings>().Count() == 2, "the merged batch");
        Assert.Equal(3, Batch(received, 1).Remaining);
        var batches = received.OfType<FeedListings>().ToList();
        Assert.All(batches, b => Assert.Equal(first.Epoch, b.Epoch));
        Assert.True(batches[0].Sequence > first.Sequence && batches[1].Sequence > batches[0].Sequence, "Sequences must grow.");
    }

    [Fact]
    public async Task Unsubscribe_LastObserver_HubLetsItsActivationGo()
    {
        var (hub, _) = await MarketAsync();
        var (observer, _) = Observe();
        await hub.Subscribe(observer);
        Assert.True(fixture.IsActivated(hub));

        await hub.Unsubscribe(observer);

        await fixture.AssertLeftNothingAsync(hub);
    }

    [Fact]
    public async Task ListingChanged_ObserverNotRenewedWithinExpiry_NothingSentAndHubLetsGo()
    {
        var (hub, listingId) = await MarketAsync();
        var (observer, received) = Observe();
        await hub.Subscribe(observer);

        fixture.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await hub.ListingChanged(new ListingStock(listingId, 1, ListingStatus.OnSale, 9));

        await fixture.AssertLeftNothingAsync(hub);
        Assert.Empty(received.OfType<FeedListings>());
    }

    /// <summary>
    /// Waits until the hub's view shows <paramref name="remaining"/>. Orleans does not promise that one-way reports
    /// arrive before a later call from the same client (they may not), so the snapshot is asked for until it does.
    /// </summary>
    private static Task WaitForRemainingAsync(IMarketFeedGrain hub, IMarketFeedObserver observer, int remaining) =>
        Eventually.WaitUntilAsync(async () => (await hub.Subscribe(observer))!.Details.Listings[0].Remaining == remaining, $"the hub to show {remaining} left");

    private static ListingStock Batch(ConcurrentQueue<object> received, int index) =>
        Assert.Single(received.OfType<FeedListings>().ElementAt(index).Listings);

    /// <summary>An open market with one listing of 10, and its hub.</summary>
    private async Task<(IMarketFeedGrain Hub, string ListingId)> MarketAsync()
    {
        var marketId = $"m_{Guid.NewGuid():N}";
        var sellerId = $"u_{Guid.NewGuid():N}";
        var market = fixture.Grains.GetGrain<IMarketGrain>(marketId);
        await market.Create(new NewMarket(sellerId, "Drop", null, fixture.Clock.GetUtcNow().AddMinutes(-1), null));
        var added = await market.AddListing(sellerId, new NewListing("Lamp", null, 1500, 10, null));
        return (fixture.Grains.GetGrain<IMarketFeedGrain>(marketId), added.Listing!.ListingId);
    }

    private (IMarketFeedObserver Reference, ConcurrentQueue<object> Received) Observe()
    {
        var observer = new RecordingObserver();
        // The client holds observer objects weakly: without this the object could be collected mid-test and the
        // hub's messages to it dropped (the reference and the queue alone do not keep it alive).
        _observers.Add(observer);
        return (fixture.Grains.CreateObjectReference<IMarketFeedObserver>(observer), observer.Received);
    }

    /// <summary>Keeps what a hub sends, in arrival order. Held strongly by the test (<see cref="_observers"/>): Orleans' client keeps observers weakly.</summary>
    private sealed class RecordingObserver : IMarketFeedObserver
    {
        public ConcurrentQueue<object> Received { get; } = new();

        public Task OnMarket(FeedSnapshot snapshot)
        {
            Received.Enqueue(snapshot);
            return Task.CompletedTask;
        }

        public Task OnListings(FeedListings listings)
        {
            Received.Enqueue(listings);
            return Task.CompletedTask;
        }
    }
}
