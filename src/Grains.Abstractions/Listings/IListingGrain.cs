using Orleans.Concurrency;

namespace FleaMarket.Grains;

/// <summary>What a market hands a new listing: its place, its seller and the market's times.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.ListingSetup")]
public sealed record ListingSetup(
    [property: Id(0)] string ListingId,
    [property: Id(1)] string MarketId,
    [property: Id(2)] string SellerId,
    [property: Id(3)] NewListing Listing,
    [property: Id(4)] DateTimeOffset OpensAt,
    [property: Id(5)] DateTimeOffset? ClosesAt);

/// <summary>A listing: stock, per-buyer limits and its orders. Purchases of a hot listing commit in batches.</summary>
[Alias("FleaMarket.IListingGrain")]
public interface IListingGrain : IGrainWithStringKey
{
    /// <summary>Creates the listing once.</summary>
    [Alias("Initialize")]
    Task<ListingView> Initialize(ListingSetup setup);

    /// <summary>The listing, or null.</summary>
    [ReadOnly, Alias("Get")]
    Task<ListingView?> Get();

    /// <summary>Activates the listing ahead of the crowd (a no-op call is enough).</summary>
    [ReadOnly, Alias("WarmUp")]
    Task WarmUp();

    /// <summary>
    /// Buys <paramref name="quantity"/> units. Returns only once the order is durable. The same
    /// (buyer, idempotency key) returns the first result; with a different quantity it is refused.
    /// Called by the buyer's account grain, which records the listing in the buyer's history first.
    /// </summary>
    [Alias("Purchase")]
    Task<PurchaseResult> Purchase(string buyerId, int quantity, string idempotencyKey);

    /// <summary>Orders of this listing (all, or one buyer's), newest first.</summary>
    [ReadOnly, Alias("GetOrders")]
    Task<Order[]> GetOrders(string? buyerId);

    /// <summary>Up to <see cref="OrderPage.Limit"/> orders (all, or one buyer's), newest first, older than the page's cursor.</summary>
    [ReadOnly, Alias("GetOrderPage")]
    Task<Order[]> GetOrderPage(string? buyerId, OrderPage page);

    /// <summary>One order of this listing with the listing's seller (who may read it too), or null.</summary>
    [ReadOnly, Alias("GetOrder")]
    Task<OrderWithSeller?> GetOrder(string orderId);
}
