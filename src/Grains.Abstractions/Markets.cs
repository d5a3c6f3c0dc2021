using FleaMarket.Runtime;

namespace FleaMarket.Grains;

/// <summary>Market status as the API reports it.</summary>
public static class MarketStatus
{
    public const string Scheduled = "scheduled";
    public const string Open = "open";
    public const string Closed = "closed";
}

/// <summary>Listing status as the API reports it.</summary>
public static class ListingStatus
{
    public const string Scheduled = "scheduled";
    public const string OnSale = "on-sale";
    public const string SoldOut = "sold-out";
    public const string Closed = "closed";
}

public sealed record MarketView(
    string MarketId, string SellerId, string Title, string? Description,
    DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, string Status);

public sealed record MarketDetails(MarketView Market, IReadOnlyList<ListingView> Listings);

public sealed record NewMarket(string SellerId, string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt);

public sealed record NewListing(string Title, string? Description, long PriceCents, int Quantity, int? MaxPerBuyer);

public sealed record ListingView(
    string ListingId, string MarketId, string Title, string? Description,
    long PriceCents, int Quantity, int Remaining, int? MaxPerBuyer, string Status);

/// <summary>Why a market call was refused.</summary>
public enum MarketError
{
    None,
    NotFound,
    Forbidden,
}

public sealed record AddListingResult(ListingView? Listing, MarketError Error);

public sealed record MarketOrders(IReadOnlyList<Order>? Orders, MarketError Error);

/// <summary>A market: its listings, its opening (by reminder) and its orders.</summary>
public interface IMarketGrain : IGrainWithStringKey
{
    /// <summary>Creates the market once and schedules its opening.</summary>
    Task<MarketView> Create(NewMarket market);

    /// <summary>The market with its listings, or null.</summary>
    [ReadOnly]
    Task<MarketDetails?> Get();

    /// <summary>Adds a listing; only the seller may.</summary>
    Task<AddListingResult> AddListing(string callerId, NewListing listing);

    /// <summary>Every order of every listing, newest first; null if no such market, Forbidden if not the seller.</summary>
    Task<MarketOrders> GetOrders(string callerId);
}
