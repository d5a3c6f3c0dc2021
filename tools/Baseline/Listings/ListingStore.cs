using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using Npgsql;

namespace FleaMarket.Baseline.Listings;

/// <summary>Listing rows: created with their full stock as remaining, read with their market's schedule.</summary>
internal static class ListingStore
{
    public static async Task<ListingResponse> InsertAsync(NpgsqlDataSource db, string marketId, CreateListingRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var listingId = Ids.New("l_");
        await using var command = db.CreateCommand("""
            INSERT INTO listings (id, market_id, title, description, price_cents, quantity, remaining, max_per_buyer)
            VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
            RETURNING (SELECT opens_at FROM markets WHERE id = $2), (SELECT closes_at FROM markets WHERE id = $2)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = listingId });
        command.Parameters.Add(new NpgsqlParameter { Value = marketId });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Title! });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)request.Description ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = request.PriceCents!.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)request.Quantity!.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)(int?)request.MaxPerBuyer ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        var opensAt = reader.GetFieldValue<DateTimeOffset>(0);
        DateTimeOffset? closesAt = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        var quantity = (int)request.Quantity.Value;
        return new ListingResponse(listingId, marketId, request.Title!, request.Description, request.PriceCents.Value, quantity, quantity,
            (int?)request.MaxPerBuyer, Statuses.Listing(now, opensAt, closesAt, quantity));
    }

    public static async Task<ListingResponse?> GetAsync(NpgsqlDataSource db, string listingId, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT l.market_id, l.title, l.description, l.price_cents, l.quantity, l.remaining, l.max_per_buyer, m.opens_at, m.closes_at
            FROM listings l JOIN markets m ON m.id = l.market_id WHERE l.id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = listingId });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        var remaining = reader.GetInt32(5);
        DateTimeOffset? closesAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8);
        return new ListingResponse(listingId, reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetInt64(3), reader.GetInt32(4), remaining, reader.IsDBNull(6) ? null : reader.GetInt32(6),
            Statuses.Listing(now, reader.GetFieldValue<DateTimeOffset>(7), closesAt, remaining));
    }
}
