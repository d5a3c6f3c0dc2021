using FleaMarket.Runtime;

namespace FleaMarket.Grains;

public sealed record Order(
    string OrderId, string ListingId, string MarketId, string BuyerId,
    int Quantity, long UnitPriceCents, long TotalCents, DateTimeOffset CreatedAt);

/// <summary>Why a purchase was refused; each maps to a problem type of the HTTP contract.</summary>
public enum PurchaseError
{
    None,
    NotFound,
    NotOpen,
    SoldOut,
    LimitExceeded,
    Closed,
    IdempotencyKeyReused,
}

/// <summary>A purchase outcome: the order (new or replayed) or the reason it was refused.</summary>
public sealed record PurchaseResult(Order? Order, PurchaseError Error, bool Replayed = false);

public sealed record ListingSetup(
    string ListingId, string MarketId, string SellerId, NewListing Listing, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt);

/// <summary>A listing: stock, per-buyer limits and its orders. Purchases of a hot listing commit in batches.</summary>
public interface IListingGrain : IGrainWithStringKey
{
    /// <summary>Creates the listing once.</summary>
    Task<ListingView> Initialize(ListingSetup setup);

    /// <summary>The listing, or null.</summary>
    [ReadOnly]
    Task<ListingView?> Get();

    /// <summary>Activates the listing ahead of the crowd (a no-op call is enough).</summary>
    [ReadOnly]
    Task WarmUp();

    /// <summary>
    /// Buys <paramref name="quantity"/> units. Returns only once the order is durable. The same
    /// (buyer, idempotency key) returns the first result; with a different quantity it is refused.
    /// </summary>
    Task<PurchaseResult> Purchase(string buyerId, int quantity, string idempotencyKey);

    /// <summary>Orders of this listing (all, or one buyer's), newest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<Order>> GetOrders(string? buyerId);
}
