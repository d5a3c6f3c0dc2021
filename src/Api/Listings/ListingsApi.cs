using FleaMarket.Api.Auth;
using FleaMarket.Api.Limits;
using FleaMarket.Api.Markets;
using FleaMarket.Api.Operations;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Validation;
using FleaMarket.Grains;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleaMarket.Api.Listings;

public sealed record PurchaseRequest(long? Quantity);

/// <summary>Listings, purchases and the buyer's orders.</summary>
internal static class ListingsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapListingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/listings/{listingId}", Get).WithName("GetListing").WithSummary("A listing with its remaining stock (ETag, at most 1 s stale).")
            .RequireRateLimiting(RateLimits.Read).CacheOutput(PublicReads.Policy).Produces<ListingResponse>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPost("/api/listings/{listingId}/purchases", Purchase).WithName("Purchase")
            .WithSummary("Buys units of a listing; 201 means the order is durable.").RequireAuthorization()
            .RequireRateLimiting(RateLimits.Purchase).WithMetadata(new IdempotencyKeyMetadata())
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        app.MapGet("/api/me/orders", MyOrders).WithName("GetMyOrders").WithSummary("The signed-in buyer's orders, newest first, paged.").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/api/orders/{orderId}", GetOrder).WithName("GetOrder").WithSummary("One order, for its buyer or the seller of its market.")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Get(string listingId, HttpContext context, IGrainFactory grains)
    {
        if (!Ids.IsListing(listingId)) return Problem.NotFound("Listing");
        var listing = await grains.Reference<IListingGrain>(listingId).Get();
        return listing is null ? Problem.NotFound("Listing") : PublicReads.OkOrNotModified(context, ListingResponse.From(listing));
    }

    private static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult>> Purchase(
        string listingId, PurchaseRequest request, HttpContext context, IGrainFactory grains, GrainCallRetry retry)
    {
        if (!Ids.IsListing(listingId)) return Problem.NotFound("Listing");
        var keys = context.Request.Headers[IdempotencyKeyHeader];
        var rules = new Rules();
        if (keys.Count != 1) rules.Add(IdempotencyKeyHeader, keys.Count == 0 ? "Required." : "Send exactly one.");
        else if (keys[0] is not { Length: >= 1 and <= 128 } key || !key.All(c => c is >= '!' and <= '~')) rules.Add(IdempotencyKeyHeader, "Must be 1 to 128 visible ASCII characters.");
        rules.Range("quantity", request.Quantity, 1, 1_000_000);
        if (!rules.IsValid) return Problem.Validation(rules.Errors);

        // One grain call: the listing makes the order durable and, in the same transaction, puts itself in the buyer's history.
        // Sent again with the same key when it was lost with a silo: the listing answers a repeated key with the first order.
        var listing = grains.Reference<IListingGrain>(listingId);
        var buyerId = context.User.UserId();
        var result = await retry.RunAsync("purchase", () => listing.Purchase(buyerId, (int)request.Quantity!.Value, keys[0]!), context);
        if (result.Order is { } order)
        {
            var body = OrderResponse.From(order);
            return result.Replayed ? TypedResults.Ok(body) : TypedResults.Created($"/api/orders/{order.OrderId}", body);
        }

        return result.Error switch
        {
            PurchaseError.NotFound => Problem.NotFound("Listing"),
            PurchaseError.NotOpen => Problem.Of(409, ProblemCodes.NotOpen, "The market is not open yet."),
            PurchaseError.SoldOut => Problem.Of(409, ProblemCodes.SoldOut, "Not enough units remain."),
            PurchaseError.LimitExceeded => Problem.Of(409, ProblemCodes.LimitExceeded, "This exceeds the per-buyer limit."),
            PurchaseError.Closed => Problem.Of(409, ProblemCodes.Closed, "The market is closed."),
            PurchaseError.IdempotencyKeyReused => Problem.Of(422, ProblemCodes.IdempotencyKeyReused, "This Idempotency-Key was used with a different request."),
            // Not made: the listing's queue was full. Retry-After comes with every 503 (ApiHosting).
            PurchaseError.Busy => Problem.Of(503, ProblemCodes.Unavailable, "Too many purchases of this listing right now; try again in a moment."),
            _ => Problem.Of(500, ProblemCodes.Internal, "Unexpected purchase outcome."),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<OrderResponse>>, ProblemHttpResult>> MyOrders(HttpContext context, IGrainFactory grains)
    {
        var rules = new Rules();
        if (Paging.Read(context.Request, rules) is not { } page) return Problem.Validation(rules.Errors);
        var orders = Paging.Trim(context, page, await grains.Reference<IAccountGrain>(context.User.UserId()).GetOrderPage(page));
        return TypedResults.Ok<IReadOnlyList<OrderResponse>>([.. orders.Select(OrderResponse.From)]);
    }

    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetOrder(string orderId, HttpContext context, IGrainFactory grains)
    {
        // Anyone but the buyer and the seller gets the same 404 as for an order that does not exist.
        if (!OrderIds.TryGetListingId(orderId, out var listingId)) return Problem.NotFound("Order");
        var found = await grains.Reference<IListingGrain>(listingId).GetOrder(orderId);
        var caller = context.User.UserId();
        return found is not null && (found.Order.BuyerId == caller || found.SellerId == caller)
            ? TypedResults.Ok(OrderResponse.From(found.Order))
            : Problem.NotFound("Order");
    }
}
