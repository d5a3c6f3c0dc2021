using FleaMarket.Api.Validation;
using FleaMarket.Grains;

namespace FleaMarket.Api.Markets;

public sealed record CreateMarketRequest(string? Title, string? Description, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt)
{
    internal Rules Validate()
    {
        var rules = new Rules();
        rules.Text("title", Title, 1, 120);
        rules.Visible("title", Title, isName: true);
        rules.Text("description", Description, 0, 2000, required: false);
        if (OpensAt is null) rules.Add("opensAt", "Required.");
        // In UTC: 2999-12-31T23:00:00-14:00 is in 3000, wherever the offset puts it locally.
        if (OpensAt is { } opens && opens.UtcDateTime.Year is < 2000 or > 9000) rules.Add("opensAt", "Must be a plausible date.");
        if (ClosesAt is { } ends && ends.UtcDateTime.Year is < 2000 or > 9000) rules.Add("closesAt", "Must be a plausible date.");
        if (ClosesAt is { } closes && OpensAt is { } opensAt && closes <= opensAt) rules.Add("closesAt", "Must be after opensAt.");
        return rules;
    }
}

public sealed record CreateListingRequest(string? Title, string? Description, long? PriceCents, long? Quantity, long? MaxPerBuyer)
{
    internal Rules Validate()
    {
        var rules = new Rules();
        rules.Text("title", Title, 1, 120);
        rules.Visible("title", Title, isName: true);
        rules.Text("description", Description, 0, 2000, required: false);
        rules.Range("priceCents", PriceCents, 1, 100_000_000);
        rules.Range("quantity", Quantity, 1, 1_000_000);
        rules.Range("maxPerBuyer", MaxPerBuyer, 1, 1_000_000, required: false);
        return rules;
    }

    internal NewListing ToNewListing() => new(Title!, Description, PriceCents!.Value, (int)Quantity!.Value, (int?)MaxPerBuyer);
}

public sealed record MarketResponse(
    string MarketId, string SellerId, string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, string Status)
{
    internal static MarketResponse From(MarketView m) =>
        new(m.MarketId, m.SellerId, m.Title, m.Description, m.OpensAt.ToUniversalTime(), m.ClosesAt?.ToUniversalTime(), m.Status);
}

public sealed record MarketWithListingsResponse(
    string MarketId, string SellerId, string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt, string Status,
    IReadOnlyList<ListingResponse> Listings)
{
    internal static MarketWithListingsResponse From(MarketDetails d) => new(d.Market.MarketId, d.Market.SellerId, d.Market.Title,
        d.Market.Description, d.Market.OpensAt.ToUniversalTime(), d.Market.ClosesAt?.ToUniversalTime(), d.Market.Status,
        [.. d.Listings.Select(ListingResponse.From)]);
}

public sealed record ListingResponse(
    string ListingId, string MarketId, string Title, string? Description, long PriceCents, int Quantity, int Remaining, int? MaxPerBuyer, string Status)
{
    internal static ListingResponse From(ListingView l) =>
        new(l.ListingId, l.MarketId, l.Title, l.Description, l.PriceCents, l.Quantity, l.Remaining, l.MaxPerBuyer, l.Status);
}

public sealed record OrderResponse(
    string OrderId, string ListingId, string MarketId, string BuyerId, int Quantity, long UnitPriceCents, long TotalCents, DateTimeOffset CreatedAt)
{
    internal static OrderResponse From(Order o) =>
        new(o.OrderId, o.ListingId, o.MarketId, o.BuyerId, o.Quantity, o.UnitPriceCents, o.TotalCents, o.CreatedAt.ToUniversalTime());
}
