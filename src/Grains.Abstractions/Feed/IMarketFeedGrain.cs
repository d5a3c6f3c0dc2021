using Orleans.Concurrency;

namespace FleaMarket.Grains;

/// <summary>
/// The live sales feed of one market (keyed by market id): the hub between the market's listings, which report
/// stock after each flush, and the API nodes, each of which registers one <see cref="IMarketFeedObserver"/> per
/// market it has readers for and fans the events out to them. It keeps the market as the feed shows it in memory,
/// sends at most one batch of listing changes per interval, and a fresh snapshot when the market opens or closes.
/// </summary>
/// <remarks>
/// Every call into the hub from a grain is one-way: a purchase never waits for the feed, and the hub never waits
/// for a node. It holds nothing durable; a node that finds it new again (a silo failed) gets a fresh snapshot.
/// </remarks>
[Alias("FleaMarket.IMarketFeedGrain")]
public interface IMarketFeedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers (or renews) <paramref name="observer"/> and answers the market as the feed has it now, or null when
    /// there is no such market. A node renews well within the hub's expiry (silo setting Feed:ObserverExpiry); an
    /// observer not renewed in time is dropped, so a node that went away costs nothing after that. The snapshot
    /// also repairs whatever a node missed (a lost message, a hub that came back after a silo failure).
    /// </summary>
    [Alias("Subscribe")]
    Task<FeedSnapshot?> Subscribe(IMarketFeedObserver observer);

    /// <summary>Drops <paramref name="observer"/>; the hub lets its activation go when no observer is left.</summary>
    [OneWay, Alias("Unsubscribe")]
    Task Unsubscribe(IMarketFeedObserver observer);

    /// <summary>A listing's stock or status after a flush (from the listing grain, fire and forget).</summary>
    [OneWay, Alias("ListingChanged")]
    Task ListingChanged(ListingStock stock);

    /// <summary>The market itself changed (a listing was added): observers get a fresh snapshot.</summary>
    [OneWay, Alias("MarketChanged")]
    Task MarketChanged();
}

/// <summary>What an API node registers with a market's <see cref="IMarketFeedGrain"/> to receive its events.</summary>
[Alias("FleaMarket.IMarketFeedObserver")]
public interface IMarketFeedObserver : IGrainObserver
{
    /// <summary>A snapshot of the market: on open and close, and when its listings change.</summary>
    [OneWay, Alias("OnMarket")]
    Task OnMarket(FeedSnapshot snapshot);

    /// <summary>Listings whose stock or status moved since the last batch (coalesced by the hub).</summary>
    [OneWay, Alias("OnListings")]
    Task OnListings(FeedListings listings);
}
