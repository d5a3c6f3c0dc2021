using Npgsql;

namespace FleaMarket.Persistence;

/// <summary>Settings every PostgreSQL session of a silo gets (journal, grain state, reminders, membership).</summary>
public static class PostgreSqlSessions
{
    /// <summary>
    /// Milliseconds after which PostgreSQL ends a session that sits idle inside a transaction, unless the connection
    /// string's <c>Options</c> set it. A silo stopped (SIGSTOP, a VM paused) or cut off between a transaction's
    /// statements and its COMMIT holds that transaction's row locks: without this, the grains whose rows it locked
    /// (the journal streams of its batch, grain-state rows) stall on every other silo until the stopped one is
    /// declared dead and its connections close (docs/reliability.md). The silos' own transactions never idle:
    /// their statements go out in one round trip, COMMIT right after.
    /// </summary>
    public const int IdleInTransactionTimeoutMs = 5000;

    /// <summary>The connection string with <see cref="IdleInTransactionTimeoutMs"/> added to its <c>Options</c> unless they set the timeout.</summary>
    public static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("idle_in_transaction_session_timeout", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout={IdleInTransactionTimeoutMs}".TrimStart();
        }

        return builder.ConnectionString;
    }
}
