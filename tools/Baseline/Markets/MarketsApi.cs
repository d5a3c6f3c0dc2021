using FleaMarket.Baseline.Auth;
using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using FleaMarket.Baseline.Listings;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace FleaMarket.Baseline.Markets;

/// <summary>Markets, their listings and the seller's view of their orders.</summary>
internal static class MarketsApi
{
    public static IEndpointRouteBuilder MapMarketsApi(this IEndpointRouteBuilder app)
    {
        var markets = app.MapGroup("/api/markets").RequireAuthorization();
        markets.MapPost("/", Create).WithName("CreateMarket").WithSummary("Opens a market for the signed-in seller.");
        markets.MapPost("/{marketId}/listings", AddListing).WithName("AddListing").WithSummary("Adds a listing (seller only).");
        markets.MapGet("/{marketId}/orders", Orders).WithName("GetMarketOrders").WithSummary("Orders of a market (seller only).");
        return app;
    }

    private static async Task<Results<Created<MarketResponse>, ProblemHttpResult>> Create(
        CreateMarketRequest request, HttpContext context, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var rules = new Rules();
        rules.Text("title", request.Title, 1, 120);
        rules.Text("description", request.Description, 0, 2000, required: false);
        if (request.OpensAt is null) rules.Add("opensAt", "Required.");
        if (request.ClosesAt is { } closes && request.OpensAt is { } opens && closes <= opens) rules.Add("closesAt", "Must be after opensAt.");
        if (!rules.IsValid) return Problems.Validation(rules.Errors);

        var marketId = Ids.New("m_");
        var opensAt = request.OpensAt!.Value.ToUniversalTime();
        var closesAt = request.ClosesAt?.ToUniversalTime();
        await using var command = db.CreateCommand(
            "INSERT INTO markets (id, seller_id, title, description, opens_at, closes_at) VALUES ($1, $2, $3, $4, $5, $6)");
        command.Parameters.Add(new NpgsqlParameter { Value = marketId });
        command.Parameters.Add(new NpgsqlParameter { Value = context.User.UserId() });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Title! });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)request.Description ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = opensAt });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)closesAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        var status = Statuses.Market(clock.GetUtcNow(), opensAt, closesAt);
        return TypedResults.Created($"/api/markets/{marketId}",
            new MarketResponse(marketId, context.User.UserId(), request.Title!, request.Description, opensAt, closesAt, status));
    }

    private static async Task<Results<Created<ListingResponse>, ProblemHttpResult>> AddListing(
        string marketId, CreateListingRequest request, HttpContext context, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (!Ids.Is(marketId, "m_")) return Problems.NotFound("Market");
        var rules = new Rules();
        rules.Text("title", request.Title, 1, 120);
        rules.Text("description", request.Description, 0, 2000, required: false);
        rules.Range("priceCents", request.PriceCents, 1, 100_000_000);
        rules.Range("quantity", request.Quantity, 1, 1_000_000);
        rules.Range("maxPerBuyer", request.MaxPerBuyer, 1, 1_000_000, required: false);
        if (!rules.IsValid) return Problems.Validation(rules.Errors);
        if (await MarketAccess.CheckSellerAsync(db, marketId, context.User.UserId(), ct).ConfigureAwait(false) is { } denied) return denied;

        var listing = await ListingStore.InsertAsync(db, marketId, request, clock.GetUtcNow(), ct).ConfigureAwait(false);
        return TypedResults.Created($"/api/listings/{listing.ListingId}", listing);
    }

    private static async Task<Results<Ok<List<OrderResponse>>, ProblemHttpResult>> Orders(
        string marketId, HttpContext context, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Ids.Is(marketId, "m_")) return Problems.NotFound("Market");
        if (await MarketAccess.CheckSellerAsync(db, marketId, context.User.UserId(), ct).ConfigureAwait(false) is { } denied) return denied;
        return TypedResults.Ok(await OrderStore.ReadAsync(db, "market_id", marketId, ct).ConfigureAwait(false));
    }
}
