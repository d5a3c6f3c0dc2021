using FleaMarket.Api.Auth;
using FleaMarket.Api.Limits;
using FleaMarket.Api.Operations;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Validation;
using FleaMarket.Grains;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleaMarket.Api.Markets;

/// <summary>Markets, their listings and their orders.</summary>
internal static class MarketsApi
{
    public static IEndpointRouteBuilder MapMarketsApi(this IEndpointRouteBuilder app)
    {
        var markets = app.MapGroup("/api/markets");
        markets.MapPost("/", Create).WithName("CreateMarket").WithSummary("Opens a market for the signed-in seller.").RequireAuthorization();
        markets.MapGet("/{marketId}", Get).WithName("GetMarket").WithSummary("A market with its listings (ETag, at most 1 s stale).")
            .RequireRateLimiting(RateLimits.Read).CacheOutput(PublicReads.Policy).Produces<MarketWithListingsResponse>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        markets.MapPost("/{marketId}/listings", AddListing).WithName("AddListing").WithSummary("Adds a listing (seller only).").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        markets.MapGet("/{marketId}/orders", Orders).WithName("GetMarketOrders").WithSummary("Orders of a market (seller only), newest first, paged.").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/users/{userId}/markets", OfUser).WithName("GetUserMarkets").WithSummary("Markets a user sells in.")
            .RequireRateLimiting(RateLimits.Read).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<MarketResponse>, ProblemHttpResult>> Create(CreateMarketRequest request, HttpContext context, IGrainFactory grains)
    {
        var rules = request.Validate();
        if (!rules.IsValid) return Problem.Validation(rules.Errors);
        var marketId = $"m_{Guid.NewGuid():N}";
        var market = await grains.Reference<IMarketGrain>(marketId).Create(new NewMarket(
            context.User.UserId(), request.Title!, request.Description, request.OpensAt!.Value.ToUniversalTime(), request.ClosesAt?.ToUniversalTime()));
        return TypedResults.Created($"/api/markets/{marketId}", MarketResponse.From(market));
    }

    private static async Task<IResult> Get(string marketId, HttpContext context, IGrainFactory grains)
    {
        if (!Ids.IsMarket(marketId)) return Problem.NotFound("Market");
        var details = await grains.Reference<IMarketGrain>(marketId).Get();
        return details is null ? Problem.NotFound("Market") : PublicReads.OkOrNotModified(context, MarketWithListingsResponse.From(details));
    }

    private static async Task<Results<Created<ListingResponse>, ProblemHttpResult>> AddListing(
        string marketId, CreateListingRequest request, HttpContext context, IGrainFactory grains)
    {
        if (!Ids.IsMarket(marketId)) return Problem.NotFound("Market");
        var rules = request.Validate();
        if (!rules.IsValid) return Problem.Validation(rules.Errors);
        var result = await grains.Reference<IMarketGrain>(marketId).AddListing(context.User.UserId(), request.ToNewListing());
        return result.Error switch
        {
            MarketError.NotFound => Problem.NotFound("Market"),
            MarketError.Forbidden => Problem.Forbidden("Only the market's seller adds listings."),
            _ => TypedResults.Created($"/api/listings/{result.Listing!.ListingId}", ListingResponse.From(result.Listing)),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<OrderResponse>>, ProblemHttpResult>> Orders(string marketId, HttpContext context, IGrainFactory grains)
    {
        if (!Ids.IsMarket(marketId)) return Problem.NotFound("Market");
        var rules = new Rules();
        if (Paging.Read(context.Request, rules) is not { } page) return Problem.Validation(rules.Errors);
        var result = await grains.Reference<IMarketGrain>(marketId).GetOrderPage(context.User.UserId(), page);
        return result.Error switch
        {
            MarketError.NotFound => Problem.NotFound("Market"),
            MarketError.Forbidden => Problem.Forbidden("Only the market's seller reads its orders."),
            _ => TypedResults.Ok<IReadOnlyList<OrderResponse>>([.. Paging.Trim(context, page, result.Orders!).Select(OrderResponse.From)]),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<MarketResponse>>, ProblemHttpResult>> OfUser(string userId, IGrainFactory grains)
    {
        if (!Ids.IsUser(userId)) return Problem.NotFound("User");
        var account = grains.Reference<IAccountGrain>(userId);
        if (await account.GetProfile() is null) return Problem.NotFound("User");
        var marketIds = await account.GetMarkets();
        var markets = await Task.WhenAll(marketIds.Select(id => grains.Reference<IMarketGrain>(id).Get()));
        return TypedResults.Ok<IReadOnlyList<MarketResponse>>([.. markets.OfType<MarketDetails>().Select(d => MarketResponse.From(d.Market))]);
    }
}
