using FleaMarket.Baseline.Contract;
using Npgsql;

namespace FleaMarket.Baseline.Listings;

/// <summary>Reads orders back: a buyer's (newest first) or a market's.</summary>
internal static class OrderStore
{
    public const string Columns = "id, listing_id, market_id, buyer_id, quantity, unit_price_cents, total_cents, created_at";

    /// <summary>Orders whose <paramref name="column"/> (buyer_id or market_id, both indexed) equals <paramref name="value"/>.</summary>
    public static async Task<List<OrderResponse>> ReadAsync(NpgsqlDataSource db, string column, string value, CancellationToken ct)
    {
        if (column is not ("buyer_id" or "market_id")) throw new ArgumentOutOfRangeException(nameof(column));
        await using var command = db.CreateCommand($"SELECT {Columns} FROM orders WHERE {column} = $1 ORDER BY created_at DESC, id");
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        var orders = new List<OrderResponse>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) orders.Add(Read(reader));
        return orders;
    }

    public static OrderResponse Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt64(5),
        reader.GetInt64(6), reader.GetFieldValue<DateTimeOffset>(7));
}
