namespace FleaMarket.Baseline.Contract;

// Request and response bodies with FleaMarket's field names (shared/api.md).

public sealed record RegisterUserRequest(string? Username, string? Password, string? DisplayName);

public sealed record CreateSessionRequest(string? Username, string? Password);

public sealed record UserResponse(string UserId, string Username, string DisplayName);

public sealed record SessionResponse(string Token, string UserId, DateTimeOffset ExpiresAt);

public sealed record CreateMarketRequest(string? Title, string? Description, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt);

public sealed record MarketResponse(
    string MarketId, string SellerId, string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, string Status);

public sealed record CreateListingRequest(string? Title, string? Description, long? PriceCents, long? Quantity, long? MaxPerBuyer);

public sealed record ListingResponse(
    string ListingId, string MarketId, string Title, string? Description, long PriceCents, int Quantity, int Remaining, int? MaxPerBuyer, string Status);

public sealed record PurchaseRequest(long? Quantity);

public sealed record OrderResponse(
    string OrderId, string ListingId, string MarketId, string BuyerId, int Quantity, long UnitPriceCents, long TotalCents, DateTimeOffset CreatedAt);

/// <summary>Statuses computed from the clock, as FleaMarket reports them.</summary>
internal static class Statuses
{
    public static string Market(DateTimeOffset now, DateTimeOffset opensAt, DateTimeOffset? closesAt) =>
        closesAt <= now ? "closed" : opensAt > now ? "scheduled" : "open";

    public static string Listing(DateTimeOffset now, DateTimeOffset opensAt, DateTimeOffset? closesAt, int remaining) =>
        Market(now, opensAt, closesAt) switch
        {
            "closed" => "closed",
            "scheduled" => "scheduled",
            _ => remaining == 0 ? "sold-out" : "on-sale",
        };
}
