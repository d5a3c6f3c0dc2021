using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using Npgsql;

namespace FleaMarket.Baseline.Listings;

internal enum PurchaseOutcome
{
    Created,
    Replayed,
    NotFound,
    NotOpen,
    Closed,
    SoldOut,
    LimitExceeded,
    KeyReused,
}

internal sealed record PurchaseResult(PurchaseOutcome Outcome, OrderResponse? Order = null);

/// <summary>
/// A purchase as the classic design does it, tuned: one transaction of the order INSERT, a per-buyer counter upsert
/// and the conditional stock UPDATE. The hot listing row is locked last, so its lock is held only for the UPDATE and
/// the COMMIT; a listing already seen sold out is answered from the first read without a transaction (remaining
/// stock never grows here, so a stale read cannot wrongly say sold out).
/// </summary>
internal static class PurchaseTransaction
{
    public static async Task<PurchaseResult> RunAsync(
        NpgsqlDataSource db, string listingId, string buyerId, int quantity, string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        var (existing, listing) = await ReadAsync(connection, listingId, buyerId, key, ct).ConfigureAwait(false);
        // A retry gets its order back whatever happened since (sold out, closed): checked before the listing's rules.
        if (existing is not null) return Replay(existing, listingId, quantity);
        if (listing is null) return new(PurchaseOutcome.NotFound);
        if (listing.OpensAt > now) return new(PurchaseOutcome.NotOpen);
        if (listing.ClosesAt <= now) return new(PurchaseOutcome.Closed);
        if (listing.MaxPerBuyer < quantity) return new(PurchaseOutcome.LimitExceeded);
        if (listing.Remaining < quantity) return new(PurchaseOutcome.SoldOut);

        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var order = new OrderResponse(Ids.New("o_"), listingId, listing.MarketId, buyerId, quantity, listing.PriceCents, listing.PriceCents * quantity, now);
        if (await ExecuteAsync(connection, """
            INSERT INTO orders (id, listing_id, market_id, buyer_id, quantity, unit_price_cents, total_cents, created_at, idempotency_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (buyer_id, idempotency_key) DO NOTHING
            """, ct, order.OrderId, listingId, order.MarketId, buyerId, quantity, order.UnitPriceCents, order.TotalCents, now, key).ConfigureAwait(false) == 0)
        {
            // The same key committed concurrently: undo this attempt and answer with that order.
            await transaction.RollbackAsync(ct).ConfigureAwait(false);
            var (winner, _) = await ReadAsync(connection, listingId, buyerId, key, ct).ConfigureAwait(false);
            return Replay(winner!, listingId, quantity);
        }

        if (listing.MaxPerBuyer is { } max && await ExecuteAsync(connection, """
            INSERT INTO buyer_units (listing_id, buyer_id, units) VALUES ($1, $2, $3)
            ON CONFLICT (listing_id, buyer_id) DO UPDATE SET units = buyer_units.units + excluded.units
            WHERE buyer_units.units + excluded.units <= $4
            """, ct, listingId, buyerId, quantity, max).ConfigureAwait(false) == 0)
        {
            return new(PurchaseOutcome.LimitExceeded);
        }

        if (await ExecuteAsync(connection, "UPDATE listings SET remaining = remaining - $2 WHERE id = $1 AND remaining >= $2",
            ct, listingId, quantity).ConfigureAwait(false) == 0)
        {
            return new(PurchaseOutcome.SoldOut);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new(PurchaseOutcome.Created, order);
    }

    private static PurchaseResult Replay(OrderResponse existing, string listingId, int quantity) =>
        existing.ListingId == listingId && existing.Quantity == quantity ? new(PurchaseOutcome.Replayed, existing) : new(PurchaseOutcome.KeyReused);

    private sealed record ListingRules(string MarketId, long PriceCents, int? MaxPerBuyer, int Remaining, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt);

    /// <summary>The order already made with this key, and the listing's price and rules, in one round trip.</summary>
    private static async Task<(OrderResponse? Existing, ListingRules? Listing)> ReadAsync(
        NpgsqlConnection connection, string listingId, string buyerId, string key, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command($"SELECT {OrderStore.Columns} FROM orders WHERE buyer_id = $1 AND idempotency_key = $2", buyerId, key));
        batch.BatchCommands.Add(Command("""
            SELECT l.market_id, l.price_cents, l.max_per_buyer, l.remaining, m.opens_at, m.closes_at
            FROM listings l JOIN markets m ON m.id = l.market_id WHERE l.id = $1
            """, listingId));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var existing = await reader.ReadAsync(ct).ConfigureAwait(false) ? OrderStore.Read(reader) : null;
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return (existing, null);
        return (existing, new ListingRules(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
            reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
