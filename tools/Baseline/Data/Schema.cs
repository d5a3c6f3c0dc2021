using Npgsql;

namespace FleaMarket.Baseline.Data;

/// <summary>The baseline's tables, created at start if missing.</summary>
internal static class Schema
{
    // Several baseline processes may start against one database at once; the advisory lock serialises their
    // CREATE ... IF NOT EXISTS, which otherwise can collide on the system catalogs. orders.listing_id has no foreign
    // key on purpose: its check would KEY SHARE-lock the hot listing row in every purchase, turning that row's lock
    // into a MultiXact shared by every transaction in flight; the purchase transaction has read the listing anyway.
    private const string Sql = """
        SELECT pg_advisory_xact_lock(7305671);
        CREATE TABLE IF NOT EXISTS users (
            id text PRIMARY KEY, username text NOT NULL UNIQUE, display_name text NOT NULL, password_hash text NOT NULL);
        CREATE TABLE IF NOT EXISTS sessions (
            token_hash bytea PRIMARY KEY, user_id text NOT NULL REFERENCES users (id), expires_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS markets (
            id text PRIMARY KEY, seller_id text NOT NULL REFERENCES users (id), title text NOT NULL, description text,
            opens_at timestamptz NOT NULL, closes_at timestamptz);
        CREATE TABLE IF NOT EXISTS listings (
            id text PRIMARY KEY, market_id text NOT NULL REFERENCES markets (id), title text NOT NULL, description text,
            price_cents bigint NOT NULL, quantity integer NOT NULL, remaining integer NOT NULL CHECK (remaining >= 0),
            max_per_buyer integer);
        CREATE INDEX IF NOT EXISTS listings_market ON listings (market_id);
        CREATE TABLE IF NOT EXISTS buyer_units (
            listing_id text NOT NULL, buyer_id text NOT NULL, units integer NOT NULL, PRIMARY KEY (listing_id, buyer_id));
        CREATE TABLE IF NOT EXISTS orders (
            id text PRIMARY KEY, listing_id text NOT NULL, market_id text NOT NULL,
            buyer_id text NOT NULL REFERENCES users (id), quantity integer NOT NULL, unit_price_cents bigint NOT NULL,
            total_cents bigint NOT NULL, created_at timestamptz NOT NULL, idempotency_key text NOT NULL,
            UNIQUE (buyer_id, idempotency_key));
        CREATE INDEX IF NOT EXISTS orders_market ON orders (market_id);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }
}
