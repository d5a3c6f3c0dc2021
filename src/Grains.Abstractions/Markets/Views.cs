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

/// <summary>A market as the API shows it; <see cref="Status"/> is computed at read time, never stored.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.MarketView")]
public sealed record MarketView(
    [property: Id(0)] string MarketId,
    [property: Id(1)] string SellerId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Description,
    [property: Id(4)] DateTimeOffset OpensAt,
    [property: Id(5)] DateTimeOffset? ClosesAt,
    [property: Id(6)] string Status);

[GenerateSerializer, Immutable, Alias("FleaMarket.MarketDetails")]
public sealed record MarketDetails([property: Id(0)] MarketView Market, [property: Id(1)] ListingView[] Listings);

[GenerateSerializer, Immutable, Alias("FleaMarket.NewMarket")]
public sealed record NewMarket(
    [property: Id(0)] string SellerId,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Description,
    [property: Id(3)] DateTimeOffset OpensAt,
    [property: Id(4)] DateTimeOffset? ClosesAt);

/// <summary>A listing as its seller describes it. Also stored, inside a listing's definition.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.NewListing")]
public sealed record NewListing(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Description,
    [property: Id(2)] long PriceCents,
    [property: Id(3)] int Quantity,
    [property: Id(4)] int? MaxPerBuyer);

/// <summary>A listing as the API shows it, with stock and status as of the read.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.ListingView")]
public sealed record ListingView(
    [property: Id(0)] string ListingId,
    [property: Id(1)] string MarketId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Description,
    [property: Id(4)] long PriceCents,
    [property: Id(5)] int Quantity,
    [property: Id(6)] int Remaining,
    [property: Id(7)] int? MaxPerBuyer,
    [property: Id(8)] string Status);

/// <summary>Why a market call was refused.</summary>
[GenerateSerializer, Alias("FleaMarket.MarketError")]
public enum MarketError
{
    None,
    NotFound,
    Forbidden,
}

[GenerateSerializer, Immutable, Alias("FleaMarket.AddListingResult")]
public sealed record AddListingResult([property: Id(0)] ListingView? Listing, [property: Id(1)] MarketError Error);

[GenerateSerializer, Immutable, Alias("FleaMarket.MarketOrders")]
public sealed record MarketOrders([property: Id(0)] Order[]? Orders, [property: Id(1)] MarketError Error);
