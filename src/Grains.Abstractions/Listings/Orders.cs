namespace FleaMarket.Grains;

/// <summary>An acknowledged order: durable before anyone sees it. Stored in listings' order journals too.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.Order")]
public sealed record Order(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string ListingId,
    [property: Id(2)] string MarketId,
    [property: Id(3)] string BuyerId,
    [property: Id(4)] int Quantity,
    [property: Id(5)] long UnitPriceCents,
    [property: Id(6)] long TotalCents,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>Why a purchase was refused; each maps to a problem type of the HTTP contract.</summary>
[GenerateSerializer, Alias("FleaMarket.PurchaseError")]
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
[GenerateSerializer, Immutable, Alias("FleaMarket.PurchaseResult")]
public sealed record PurchaseResult(
    [property: Id(0)] Order? Order,
    [property: Id(1)] PurchaseError Error,
    [property: Id(2)] bool Replayed = false);
