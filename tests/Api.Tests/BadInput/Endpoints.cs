using System.Globalization;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Every route of api.md, each with a request that would succeed.</summary>
internal static class Endpoints
{
    public static readonly Endpoint Register = new("register", HttpMethod.Post, _ => "/api/users", Caller.Nobody,
        ValidFields: w => new() { ["username"] = Endpoint.Quote(w.FreshUsername), ["password"] = Endpoint.Quote(World.Password), ["displayName"] = Endpoint.Quote("Ada") },
        Fields: [new("username", FieldKind.Username, true, 3, 32), new("password", FieldKind.Text, true, 8, 128), new("displayName", FieldKind.Text, true, 1, 64)]);

    public static readonly Endpoint Login = new("login", HttpMethod.Post, _ => "/api/sessions", Caller.Nobody,
        ValidFields: w => new() { ["username"] = Endpoint.Quote(w.BuyerUsername), ["password"] = Endpoint.Quote(World.Password) },
        Fields: [new("username", FieldKind.Username, true, 3, 32), new("password", FieldKind.Text, true, 8, 128)]);

    public static readonly Endpoint CreateMarket = new("create-market", HttpMethod.Post, _ => "/api/markets", Caller.Seller,
        ValidFields: _ => new()
        {
            ["title"] = Endpoint.Quote("Drop"),
            ["description"] = Endpoint.Quote("Lamps"),
            ["opensAt"] = Endpoint.Quote(DateTimeOffset.UtcNow.AddDays(1).ToString("O", CultureInfo.InvariantCulture)),
        },
        Fields:
        [
            new("title", FieldKind.Text, true, 1, 120), new("description", FieldKind.Text, false, 0, 2000),
            new("opensAt", FieldKind.Timestamp, true), new("closesAt", FieldKind.Timestamp, false),
        ]);

    public static readonly Endpoint AddListing = new("add-listing", HttpMethod.Post, w => $"/api/markets/{w.MarketId}/listings", Caller.Seller,
        ValidFields: _ => new()
        {
            ["title"] = Endpoint.Quote("Lamp"), ["description"] = Endpoint.Quote("Brass"), ["priceCents"] = "100", ["quantity"] = "3", ["maxPerBuyer"] = "2",
        },
        Fields:
        [
            new("title", FieldKind.Text, true, 1, 120), new("description", FieldKind.Text, false, 0, 2000),
            new("priceCents", FieldKind.Count, true, 1, 100_000_000), new("quantity", FieldKind.Count, true, 1, 1_000_000),
            new("maxPerBuyer", FieldKind.Count, false, 1, 1_000_000),
        ]);

    public static readonly Endpoint Purchase = new("purchase", HttpMethod.Post, w => $"/api/listings/{w.ListingId}/purchases", Caller.Buyer,
        NeedsIdempotencyKey: true,
        ValidFields: _ => new() { ["quantity"] = "1" },
        Fields: [new("quantity", FieldKind.Count, true, 1, 1_000_000)]);

    public static readonly Endpoint Logout = new("logout", HttpMethod.Delete, _ => "/api/sessions/current", Caller.Buyer);

    public static readonly Endpoint Me = new("me", HttpMethod.Get, _ => "/api/me", Caller.Buyer);

    public static readonly Endpoint CurrentSession = new("current-session", HttpMethod.Get, _ => "/api/sessions/current", Caller.Buyer);

    public static readonly Endpoint GetUser = new("get-user", HttpMethod.Get, w => $"/api/users/{w.Seller.UserId}", Caller.Nobody);

    public static readonly Endpoint GetMarket = new("get-market", HttpMethod.Get, w => $"/api/markets/{w.MarketId}", Caller.Nobody);

    public static readonly Endpoint UserMarkets = new("user-markets", HttpMethod.Get, w => $"/api/users/{w.Seller.UserId}/markets", Caller.Nobody);

    public static readonly Endpoint GetListing = new("get-listing", HttpMethod.Get, w => $"/api/listings/{w.ListingId}", Caller.Nobody);

    public static readonly Endpoint MyOrders = new("my-orders", HttpMethod.Get, _ => "/api/me/orders", Caller.Buyer);

    public static readonly Endpoint MarketOrders = new("market-orders", HttpMethod.Get, w => $"/api/markets/{w.MarketId}/orders", Caller.Seller);

    public static readonly IReadOnlyList<Endpoint> All =
        [Register, Login, Logout, Me, CurrentSession, GetUser, CreateMarket, GetMarket, UserMarkets, AddListing, GetListing, Purchase, MyOrders, MarketOrders];

    public static IEnumerable<Endpoint> WithBody => All.Where(e => e.TakesBody);

    public static IEnumerable<Endpoint> Authenticated => All.Where(e => e.Caller != Caller.Nobody);

    /// <summary>Routes with an id in the path, and how to put another id there.</summary>
    public static readonly IReadOnlyList<(Endpoint Endpoint, Func<string, string> PathWithId)> WithRouteId =
    [
        (GetMarket, id => $"/api/markets/{id}"),
        (GetUser, id => $"/api/users/{id}"),
        (UserMarkets, id => $"/api/users/{id}/markets"),
        (AddListing, id => $"/api/markets/{id}/listings"),
        (GetListing, id => $"/api/listings/{id}"),
        (Purchase, id => $"/api/listings/{id}/purchases"),
        (MarketOrders, id => $"/api/markets/{id}/orders"),
    ];
}
