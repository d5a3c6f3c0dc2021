using FleaMarket.Baseline.Contract;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace FleaMarket.Baseline.Markets;

/// <summary>Seller-only operations: 404 for an unknown market, 403 for anyone but its seller.</summary>
internal static class MarketAccess
{
    public static async Task<ProblemHttpResult?> CheckSellerAsync(NpgsqlDataSource db, string marketId, string userId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT seller_id FROM markets WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = marketId });
        var sellerId = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        if (sellerId is null) return Problems.NotFound("Market");
        return sellerId == userId ? null : Problems.Of(403, "forbidden", "Only the market's seller may do this.");
    }
}
