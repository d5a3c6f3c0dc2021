using Orleans.Concurrency;

namespace FleaMarket.Grains;

/// <summary>A market: its listings, its opening (by reminder) and its orders.</summary>
[Alias("FleaMarket.IMarketGrain")]
public interface IMarketGrain : IGrainWithStringKey
{
    /// <summary>Creates the market once and schedules its opening.</summary>
    [Alias("Create")]
    Task<MarketView> Create(NewMarket market);

    /// <summary>The market with its listings, or null.</summary>
    [ReadOnly, Alias("Get")]
    Task<MarketDetails?> Get();

    /// <summary>Adds a listing; only the seller may.</summary>
    [Alias("AddListing")]
    Task<AddListingResult> AddListing(string callerId, NewListing listing);

    /// <summary>Every order of every listing, newest first; NotFound if no such market, Forbidden if not the seller.</summary>
    [ReadOnly, Alias("GetOrders")]
    Task<MarketOrders> GetOrders(string callerId);

    /// <summary>One page of the market's orders, newest first; NotFound if no such market, Forbidden if not the seller.</summary>
    [ReadOnly, Alias("GetOrderPage")]
    Task<MarketOrders> GetOrderPage(string callerId, OrderPage page);
}
