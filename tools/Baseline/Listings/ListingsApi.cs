using FleaMarket.Baseline.Auth;
using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace FleaMarket.Baseline.Listings;

/// <summary>Listings, purchases and the buyer's orders, with FleaMarket's shapes and problem codes.</summary>
internal static class ListingsApi
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapListingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/listings/{listingId}", Get).WithName("GetListing").WithSummary("A listing with its remaining stock.");
        app.MapPost("/api/listings/{listingId}/purchases", Purchase).WithName("Purchase")
            .WithSummary("Buys units of a listing in one transaction; 201 means committed.").RequireAuthorization();
        app.MapGet("/api/me/orders", MyOrders).WithName("GetMyOrders").WithSummary("The signed-in buyer's orders, newest first.").RequireAuthorization();
        return app;
    }

    private static async Task<Results<Ok<ListingResponse>, ProblemHttpResult>> Get(string listingId, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (!Ids.Is(listingId, "l_")) return Problems.NotFound("Listing");
        var listing = await ListingStore.GetAsync(db, listingId, clock.GetUtcNow(), ct).ConfigureAwait(false);
        return listing is null ? Problems.NotFound("Listing") : TypedResults.Ok(listing);
    }

    private static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult>> Purchase(
        string listingId, PurchaseRequest request, HttpContext context, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (!Ids.Is(listingId, "l_")) return Problems.NotFound("Listing");
        var keys = context.Request.Headers[IdempotencyKeyHeader];
        var rules = new Rules();
        if (keys.Count != 1) rules.Add(IdempotencyKeyHeader, keys.Count == 0 ? "Required." : "Send exactly one.");
        else if (keys[0] is not { Length: >= 1 and <= 128 } key || !key.All(c => c is >= '!' and <= '~')) rules.Add(IdempotencyKeyHeader, "Must be 1 to 128 visible ASCII characters.");
        rules.Range("quantity", request.Quantity, 1, 1_000_000);
        if (!rules.IsValid) return Problems.Validation(rules.Errors);

        var result = await PurchaseTransaction.RunAsync(
            db, listingId, context.User.UserId(), (int)request.Quantity!.Value, keys[0]!, clock.GetUtcNow(), ct).ConfigureAwait(false);
        return result.Outcome switch
        {
            PurchaseOutcome.Created => TypedResults.Created($"/api/me/orders/{result.Order!.OrderId}", result.Order),
            PurchaseOutcome.Replayed => TypedResults.Ok(result.Order),
            PurchaseOutcome.NotFound => Problems.NotFound("Listing"),
            PurchaseOutcome.NotOpen => Problems.Of(409, "not-open", "The market is not open yet."),
            PurchaseOutcome.Closed => Problems.Of(409, "closed", "The market is closed."),
            PurchaseOutcome.SoldOut => Problems.Of(409, "sold-out", "Not enough units remain."),
            PurchaseOutcome.LimitExceeded => Problems.Of(409, "limit-exceeded", "This exceeds the per-buyer limit."),
            _ => Problems.Of(422, "idempotency-key-reused", "This Idempotency-Key was used with a different request."),
        };
    }

    private static async Task<Ok<List<OrderResponse>>> MyOrders(HttpContext context, NpgsqlDataSource db, CancellationToken ct) =>
        TypedResults.Ok(await OrderStore.ReadAsync(db, "buyer_id", context.User.UserId(), ct).ConfigureAwait(false));
}
