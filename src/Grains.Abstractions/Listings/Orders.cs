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

    /// <summary>The listing's queue of purchases waiting to be made durable is full: try again in a moment.</summary>
    Busy,
}

/// <summary>A purchase outcome: the order (new or replayed) or the reason it was refused.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.PurchaseResult")]
public sealed record PurchaseResult(
    [property: Id(0)] Order? Order,
    [property: Id(1)] PurchaseError Error,
    [property: Id(2)] bool Replayed = false);

/// <summary>An order with the seller of its listing: the two users who may read it.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.OrderWithSeller")]
public sealed record OrderWithSeller([property: Id(0)] Order Order, [property: Id(1)] string SellerId);

/// <summary>
/// A page of orders, newest first: at most <see cref="Limit"/> orders older than <see cref="After"/> (an order id
/// from the previous page, or null for the first page). Orders sort by (creation time, order id).
/// </summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.OrderPage")]
public sealed record OrderPage([property: Id(0)] string? After, [property: Id(1)] int Limit);

/// <summary>
/// Order ids: "o_" + the creation time (16 hex digits of UTC ticks) + the listing's 32 hex digits + 16 random hex
/// digits. Opaque to clients, but the service can find an order's listing and its place in a page from its id alone.
/// </summary>
public static class OrderIds
{
    private const int TicksDigits = 16;
    private const int ListingDigits = 32;

    public static string New(string listingId, DateTimeOffset createdAt) =>
        $"o_{createdAt.UtcTicks:x16}{listingId.AsSpan(2)}{Random.Shared.NextInt64():x16}";

    /// <summary>The listing an order id names, if it is an id of this form.</summary>
    public static bool TryGetListingId(string orderId, out string listingId)
    {
        listingId = "";
        if (!IsWellFormed(orderId)) return false;
        listingId = "l_" + orderId.Substring(2 + TicksDigits, ListingDigits);
        return true;
    }

    /// <summary>The sort key of an order id of this form: its creation time in UTC ticks.</summary>
    public static bool TryGetTicks(string orderId, out long ticks)
    {
        ticks = 0;
        return IsWellFormed(orderId) && long.TryParse(orderId.AsSpan(2, TicksDigits), System.Globalization.NumberStyles.AllowHexSpecifier, null, out ticks) && ticks >= 0;
    }

    public static bool IsWellFormed(string orderId) =>
        orderId.Length == 2 + TicksDigits + ListingDigits + 16 && orderId.StartsWith("o_", StringComparison.Ordinal)
        && !orderId.AsSpan(2).ContainsAnyExcept("0123456789abcdef");

    /// <summary>Newest first: by creation time, then by id, both descending.</summary>
    public static int CompareNewestFirst(Order x, Order y)
    {
        var byTime = y.CreatedAt.UtcTicks.CompareTo(x.CreatedAt.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(y.OrderId, x.OrderId);
    }

    /// <summary>Whether <paramref name="order"/> comes after the cursor order (older) in newest-first order.</summary>
    public static bool IsAfter(Order order, long cursorTicks, string cursorId)
    {
        var ticks = order.CreatedAt.UtcTicks;
        return ticks < cursorTicks || (ticks == cursorTicks && string.CompareOrdinal(order.OrderId, cursorId) < 0);
    }
}
